import { startupScriptSize } from "../../../policy-pack/guardrails";
import { SPOT_BID_TYPE, TASK_TYPE } from "../../../policy-pack/lib";
import { ABSENT, expectCannotEvaluate, resourceArgs, runResourcePolicy, UNKNOWN_VALUE } from "./harness";

const run = (overrides: Record<string, unknown>, config: object = {}) =>
  runResourcePolicy(startupScriptSize, resourceArgs(SPOT_BID_TYPE, overrides, config));

const script = (chars: number) => `#!/bin/bash\n${"x".repeat(chars - 12)}`;

describe("startup-script-size", () => {
  it("is mandatory: FCP rejects a longer script anyway", () => {
    expect(startupScriptSize.enforcementLevel).toBe("mandatory");
  });

  it("allows a script of exactly 10,000 characters", async () => {
    expect(script(10_000)).toHaveLength(10_000);
    expect(await run({ startupScript: script(10_000) })).toEqual([]);
  });

  it("reports a script of 10,001 characters with its size and the limit", async () => {
    expect(await run({ startupScript: script(10_001) })).toEqual([
      'SpotBid "train-bid" has a startup script of 10,001 characters, more than the 10,000 allowed ' +
        "(maxCharacters, FCP's limit). Shrink it: exclude files with .flowignore, use a prebuilt image, or move setup into the image.",
    ]);
  });

  it("counts characters, not UTF-16 units", async () => {
    const emoji = `#!/bin/bash\necho ${"🚀".repeat(5_000)}`; // 10,017 UTF-16 units, 5,017 characters
    expect(await run({ startupScript: emoji })).toEqual([]);
  });

  it.each([
    [4_000, 4_000, 0],
    [4_000, 4_001, 1],
  ])("with maxCharacters %p judges a script of %p (%p violations)", async (maxCharacters, chars, violations) => {
    const messages = await run({ startupScript: script(chars) }, { maxCharacters });
    expect(messages).toHaveLength(violations);
    if (violations) expect(messages[0]).toMatch(/more than the 4,000 allowed \(maxCharacters\)\./);
  });

  it("allows a bid without a startup script", async () => {
    expect(await run({ startupScript: ABSENT })).toEqual([]);
  });

  it("reports a startup script that is not a string", async () => {
    expect(await run({ startupScript: ["echo"] })).toEqual(['SpotBid "train-bid" has startupScript ["echo"], which is not a string.']);
  });

  it("cannot evaluate an unknown script", async () => {
    const message = await expectCannotEvaluate(() => run({ startupScript: UNKNOWN_VALUE }));
    expect(message).toContain('startupScript of SpotBid "train-bid" is not known');
  });

  it("ignores Tasks (their bid carries the built script)", async () => {
    const args = resourceArgs(TASK_TYPE, { startupScript: "x".repeat(20_000) });
    expect(await runResourcePolicy(startupScriptSize, args)).toEqual([]);
  });

  it.each([[{ maxCharacters: 10_001 }], [{ maxCharacters: 0 }], [{ maxChars: 5 }]])(
    "reports the invalid config %p as a violation",
    async (config) => {
      const [message] = await run({}, config);
      expect(message).toMatch(/^The fcp-guardrails config for policy "startup-script-size" is invalid/);
    },
  );
});
