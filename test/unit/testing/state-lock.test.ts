import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { StateFileError } from "../../../src/testing";
import { acquireStateLock } from "../../../src/testing/state-lock";

describe("state lock", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "state-lock-"));
  const state = path.join(dir, "state.json");

  test("one holder at a time; released locks can be taken again", async () => {
    const lock = await acquireStateLock(state);
    await expect(acquireStateLock(state)).rejects.toThrow(StateFileError);
    await expect(acquireStateLock(state)).rejects.toThrow(/in use by another operation \(process \d+, this process\)/);
    await lock.release();
    expect(existsSync(`${state}.lock`)).toBe(false);
    const again = await acquireStateLock(state);
    await again.release();
  });

  test("a lock left by a process that is gone is taken over", async () => {
    // The pid of a process that has exited.
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeFileSync(`${state}.lock`, `${gone}\n`);
    const lock = await acquireStateLock(state);
    // The lock now names this process, not the one that is gone.
    expect(readFileSync(`${state}.lock`, "utf8")).toBe(`${process.pid}\n`);
    await expect(acquireStateLock(state)).rejects.toThrow(/in use by another operation/);
    await lock.release();
    expect(existsSync(`${state}.lock`)).toBe(false);
  });
});
