import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StateFile, EmulatorStateFileError, serializeState } from "../../../src/emulator/persistence";
import { initialState } from "../../../src/emulator/initial-state";

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "fcp-emu-persist-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("StateFile", () => {
  it("reports no state for a new file, and reads back what it saved", async () => {
    const file = path.join(dir, "state.json");
    const first = await StateFile.open(file);
    expect(first.state).toBeUndefined();
    const state = initialState(5, 1_700_000_000_000);
    await first.file.save(serializeState(state));
    await first.file.close();

    const again = await StateFile.open(file);
    expect(again.state).toEqual(state);
    await again.file.close();
  });

  it("leaves no temporary file behind after a save", async () => {
    const file = path.join(dir, "state.json");
    const { file: f } = await StateFile.open(file);
    await f.save(serializeState(initialState(1, 0)));
    await f.close();
    expect(await fs.readdir(dir)).toEqual(["state.json"]);
  });

  it("removes a temporary file left by a killed writer", async () => {
    const file = path.join(dir, "state.json");
    await fs.writeFile(path.join(dir, ".state.json.99999.tmp"), "{half");
    const { file: f } = await StateFile.open(file);
    await f.close();
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it.each([
    ["empty", "", /it is empty/],
    ["not JSON", '{"format": "fcp-emulator-state", "vers', /not valid JSON/],
    ["someone else's JSON", '{"terraform_version": "1.5.0"}', /not an fcp-emulator state file/],
    ["a newer version", '{"format": "fcp-emulator-state", "version": 2, "state": {}}', /version 2/],
    ["damaged", '{"format": "fcp-emulator-state", "version": 1, "state": {"seed": "x"}}', /damaged \(state\.seed/],
  ])("refuses a file that is %s, and leaves it untouched", async (_what, content, message) => {
    const file = path.join(dir, "state.json");
    await fs.writeFile(file, content);
    const err = await StateFile.open(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmulatorStateFileError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/left untouched/);
    expect(await fs.readFile(file, "utf8")).toBe(content);
    // The lock is released on refusal, so a fixed file can be opened at once.
    expect(await fs.readdir(dir)).toEqual(["state.json"]);
  });

  it("refuses a state file that a live process holds, and takes over a dead one's lock", async () => {
    const file = path.join(dir, "state.json");
    const held = await StateFile.open(file);
    await expect(StateFile.open(file)).rejects.toThrow(/in use by another fcp-emulator \(pid \d+\)/);
    await held.file.close();

    // A pid that cannot exist stands for an emulator killed with -9.
    await fs.writeFile(`${file}.lock`, "2147483646");
    const taken = await StateFile.open(file);
    await taken.file.close();
  });
});
