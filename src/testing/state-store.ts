// The stack's state: loaded (and decrypted) at the start of each operation, saved after every
// step so that a crash mid-run loses track of nothing. Saves are serialized and coalesced.
import { StateFileError } from "./errors";
import { dependencyOrder } from "./graph";
import { dependenciesOf, mapResourceValues, type ResourceState } from "./resource-state";
import { SecretsCrypter } from "./secrets";
import { readStateFile, writeStateFile } from "./state-file";

export class StateStore {
  private crypter?: SecretsCrypter;
  private chain: Promise<void> = Promise.resolve();
  private latest?: ResourceState[];

  constructor(
    readonly file: string,
    private readonly project: string,
    private readonly stack: string,
    private readonly passphrase: string,
  ) {}

  /** Reads the state file; an absent file is an empty stack. Secrets come back as `{ sig, value }`. */
  async load(): Promise<ResourceState[]> {
    const contents = await readStateFile(this.file);
    if (contents && (contents.project !== this.project || contents.stack !== this.stack)) {
      throw new StateFileError(
        this.file,
        `belongs to stack "${contents.project}/${contents.stack}", not "${this.project}/${this.stack}"; ` +
          `use a state file per stack.`,
      );
    }
    if (!this.crypter || (contents?.secrets && contents.secrets.salt !== this.crypter.header.salt)) {
      this.crypter = await SecretsCrypter.open(this.passphrase, contents?.secrets);
    }
    const crypter = this.crypter;
    return (contents?.resources ?? []).map((r) => mapResourceValues(r, (v) => crypter.decryptValue(v)));
  }

  /** Queues a save of this snapshot (in dependency order); resolves once it or a later one is on disk. */
  save(resources: readonly ResourceState[]): Promise<void> {
    // Ordered when written, not here: a wave of steps finishing at once queues one save each, and
    // all but the last are coalesced away.
    this.latest = [...resources];
    const run = async (): Promise<void> => {
      if (!this.latest) {
        return;
      }
      const snapshot = dependencyOrder(this.latest, dependenciesOf);
      this.latest = undefined;
      const crypter = this.crypter;
      if (!crypter) {
        throw new StateFileError(this.file, "save before load (a LocalEngine bug).");
      }
      await writeStateFile(this.file, {
        project: this.project,
        stack: this.stack,
        secrets: crypter.header,
        resources: snapshot.map((r) => mapResourceValues(r, (v) => crypter.encryptValue(v))),
      });
    };
    // Each save runs after the previous one, whether that one failed or not.
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
