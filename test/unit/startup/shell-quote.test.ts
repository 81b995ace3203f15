import { spawnSync } from "node:child_process";
import { shellQuote, shellWord, shellWords } from "../../../src/startup/shell-quote";
import { HOSTILE_ARGS, HOSTILE_VALUES } from "../../fixtures/startup/hostile-values";

const values = [...Object.values(HOSTILE_VALUES), ...HOSTILE_ARGS, "plain", "train.py", "--lr=1e-4", "FOO=bar"];

/** What bash makes of the quoted words: each word printed, NUL-terminated. */
function bashExpands(words: string, locale: string): string[] {
  const out = spawnSync("bash", ["-c", `printf '%s\\0' ${words}`], { env: { PATH: process.env.PATH, LC_ALL: locale } });
  if (out.status !== 0) throw new Error(`bash failed: ${out.stderr.toString()}`);
  return out.stdout.toString("utf8").split("\0").slice(0, -1);
}

describe.each(["C", "C.UTF-8"])("shell quoting under LC_ALL=%s", (locale) => {
  test("shellQuote gives back every value byte for byte", () => {
    expect(bashExpands(values.map(shellQuote).join(" "), locale)).toEqual(values);
  });

  test("shellWord gives back every value byte for byte", () => {
    expect(bashExpands(values.map(shellWord).join(" "), locale)).toEqual(values);
  });

  test("shellWords keeps an argv's boundaries", () => {
    expect(bashExpands(shellWords(HOSTILE_ARGS), locale)).toEqual(HOSTILE_ARGS);
  });
});

describe("shellWord", () => {
  test.each([
    ["python", "python"],
    ["train.py", "train.py"],
    ["--epochs", "--epochs"],
    ["/data/x:y", "/data/x:y"],
  ])("leaves the plain word %s bare", (value, expected) => {
    expect(shellWord(value)).toBe(expected);
  });

  test.each(["FOO=bar", "a b", "~", "$x", "", "*"])("quotes %j", (value) => {
    expect(shellWord(value)).not.toBe(value);
  });
});

describe("shellQuote", () => {
  test("uses ANSI-C quoting only for control characters, so a newline never appears raw", () => {
    expect(shellQuote("a\nb")).toBe("$'a\\nb'");
    expect(shellQuote("a'b")).toBe("'a'\\''b'");
    expect(shellQuote("x\ny")).not.toContain("\n");
  });
});
