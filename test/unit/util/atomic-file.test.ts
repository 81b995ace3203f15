import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isTemporaryOf, removeStaleTemporaries, temporaryPathFor, writeFileAtomic } from "../../../src/util/atomic-file";
import { acquirePidLock } from "../../../src/util/pid-lock";

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "atomic-file-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test("writes the whole text with mode 0600 and leaves no temporary", async () => {
  const file = path.join(dir, "state.json");
  await writeFileAtomic(file, "one\n");
  await writeFileAtomic(file, "two\n");
  expect(await fs.readFile(file, "utf8")).toBe("two\n");
  expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  expect(await fs.readdir(dir)).toEqual(["state.json"]);
});

test("a temporary a killed writer left is recognised and removed; other files stay", async () => {
  const file = path.join(dir, "state.json");
  const leftover = temporaryPathFor(file);
  await fs.writeFile(leftover, "torn");
  await fs.writeFile(path.join(dir, ".state.json.notes"), "mine");
  await fs.writeFile(path.join(dir, ".state.json.123.tmp"), "old-style");
  expect(isTemporaryOf(file, path.basename(leftover))).toBe(true);
  await removeStaleTemporaries(file);
  expect((await fs.readdir(dir)).sort()).toEqual([".state.json.notes"]);
});

test("a write into a missing directory fails and leaves nothing", async () => {
  await expect(writeFileAtomic(path.join(dir, "no", "state.json"), "x")).rejects.toThrow(/ENOENT/);
  expect(await fs.readdir(dir)).toEqual([]);
});

test("pid lock: held by a live process, taken over from a dead one, released once", async () => {
  const lockPath = path.join(dir, "state.lock");
  const first = await acquirePidLock(lockPath);
  expect(first.acquired).toBe(true);
  expect(await acquirePidLock(lockPath)).toEqual({ acquired: false, owner: process.pid });
  if (first.acquired) await first.lock.release();
  await fs.writeFile(lockPath, "999999999\n"); // no such process
  const taken = await acquirePidLock(lockPath);
  expect(taken.acquired).toBe(true);
  expect((await fs.readFile(lockPath, "utf8")).trim()).toBe(String(process.pid));
  if (taken.acquired) {
    await taken.lock.release();
    await taken.lock.release();
  }
  await expect(fs.stat(lockPath)).rejects.toThrow(/ENOENT/);
});
