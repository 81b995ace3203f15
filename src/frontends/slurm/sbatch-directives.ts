// Reads the `#SBATCH` block of a batch script the way sbatch does: directives are honoured only
// before the first command line; each is split into option/value pairs, short or long spelling.

export interface SbatchDirective {
  /** The long option name without dashes (`nodes`, `gres`), short options mapped to it. */
  option: string;
  /** The value, or undefined for a flag (`--exclusive`). */
  value?: string;
  /** 1-based line in the script. */
  line: number;
  /** As written, for warnings. */
  text: string;
}

export interface SbatchScript {
  directives: SbatchDirective[];
  /** Everything after the `#!` line with the `#SBATCH` lines removed. */
  body: string;
  /** The `#!` line's interpreter, e.g. `/bin/bash`. */
  shebang?: string;
}

/** sbatch's short options and the long name each stands for. */
const SHORT: Readonly<Record<string, string>> = {
  J: "job-name", N: "nodes", n: "ntasks", t: "time", o: "output", e: "error", p: "partition",
  G: "gpus", a: "array", c: "cpus-per-task", A: "account", q: "qos", C: "constraint", D: "chdir",
  w: "nodelist", x: "exclude", d: "dependency", s: "oversubscribe", "-": "",
};

/** Options that take no value. */
const FLAGS = new Set(["exclusive", "requeue", "no-requeue", "wait", "hold", "parsable", "test-only", "verbose", "quiet", "overcommit", "contiguous", "spread-job", "use-min-nodes"]);

export function readSbatchScript(text: string): SbatchScript {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const directives: SbatchDirective[] = [];
  const body: string[] = [];
  let shebang: string | undefined;
  let inHeader = true;
  lines.forEach((raw, i) => {
    if (i === 0 && raw.startsWith("#!")) {
      shebang = raw.slice(2).trim();
      return;
    }
    const trimmed = raw.trim();
    const directive = /^#SBATCH\s+(.*)$/.exec(trimmed);
    if (inHeader && directive) {
      directives.push(...splitDirective(stripComment(directive[1]), i + 1, trimmed));
      return;
    }
    // sbatch stops reading directives at the first line that is neither blank nor a comment.
    if (trimmed && !trimmed.startsWith("#")) inHeader = false;
    body.push(raw);
  });
  while (body.length && !body[0].trim()) body.shift();
  while (body.length && !body[body.length - 1].trim()) body.pop();
  return { directives, body: body.join("\n"), shebang };
}

function stripComment(s: string): string {
  // `#SBATCH --nodes=2   # two nodes`: a `#` after whitespace starts a comment.
  return s.replace(/\s+#.*$/, "").trim();
}

function splitDirective(rest: string, line: number, text: string): SbatchDirective[] {
  const words = shellSplit(rest);
  const out: SbatchDirective[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(word);
    if (long) {
      const option = long[1];
      let value = long[2];
      if (value === undefined && !FLAGS.has(option) && i + 1 < words.length && !words[i + 1].startsWith("-")) value = words[++i];
      out.push({ option, value, line, text });
      continue;
    }
    const short = /^-([A-Za-z])(.*)$/s.exec(word);
    if (short) {
      const option = SHORT[short[1]] ?? short[1];
      let value: string | undefined = short[2] ? short[2].replace(/^=/, "") : undefined;
      if (value === undefined && i + 1 < words.length && !words[i + 1].startsWith("-")) value = words[++i];
      out.push({ option, value, line, text });
      continue;
    }
    out.push({ option: "", value: word, line, text });
  }
  return out;
}

/** Splits like a shell would for the simple quoting sbatch directives use. */
function shellSplit(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let has = false;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (cur || has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += ch;
    }
  }
  if (cur || has) out.push(cur);
  return out;
}
