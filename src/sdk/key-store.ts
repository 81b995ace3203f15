// Private keys of the SSH keys `Flow.run` generated, one file per FCP key id under
// ~/.flow/keys/ (directory 0700, files 0600), so a task run here can be reached later by name.
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "../fcp-api/errors";

export class KeyStore {
  readonly dir: string;

  constructor(homeDir: string = homedir()) {
    this.dir = join(homeDir, ".flow", "keys");
  }

  pathOf(keyFid: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(keyFid)) throw new ValidationError(`Unexpected SSH key id ${JSON.stringify(keyFid)}.`, { field: "sshKeys" });
    return join(this.dir, keyFid);
  }

  save(keyFid: string, privateKey: string): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const file = this.pathOf(keyFid);
    writeFileSync(file, privateKey, { mode: 0o600, flag: "wx" });
    return file;
  }

  /** The private key of the first of `keyFids` stored here, refusing one others can read. */
  find(keyFids: readonly string[]): { fid: string; file: string; privateKey: string } | undefined {
    for (const fid of keyFids) {
      const file = this.pathOf(fid);
      let mode: number;
      try {
        mode = statSync(file).mode;
      } catch {
        continue;
      }
      if (mode & 0o077) {
        throw new ValidationError(`${file} can be read by group or others (mode ${(mode & 0o777).toString(8)}).`, {
          field: "sshKeys",
          suggestions: [`Run \`chmod 600 ${file}\`.`],
        });
      }
      return { fid, file, privateKey: readFileSync(file, "utf8") };
    }
    return undefined;
  }

  remove(keyFid: string): void {
    rmSync(this.pathOf(keyFid), { force: true });
  }
}
