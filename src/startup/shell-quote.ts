// Quoting for bash. Every value that reaches a generated script goes through here, so a user's
// string can never become shell syntax.

const BARE_WORD = /^[A-Za-z0-9_./:@%+,-]+$/;
// Control characters are escaped rather than kept raw: a literal CR or newline inside a quoted
// string survives bash, but not every transport between here and the instance keeps it.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Quotes `value` as one bash word whose expansion is exactly `value`. */
export function shellQuote(value: string): string {
  if (!CONTROL.test(value)) return `'${value.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}'`;
}

/** Like `shellQuote`, but leaves plain words (`python`, `train.py`, `--epochs`) unquoted. */
export function shellWord(value: string): string {
  return BARE_WORD.test(value) ? value : shellQuote(value);
}

/** Quotes every element of an argv. */
export function shellWords(argv: readonly string[]): string {
  return argv.map(shellWord).join(" ");
}
