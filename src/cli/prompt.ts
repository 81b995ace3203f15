// Questions on a terminal: plain answers, yes/no, and hidden input (API keys are never echoed).
import * as readline from "node:readline";

export async function ask(question: string, options: { hidden?: boolean; default?: string } = {}): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const shown = options.default ? `${question} [${options.default}]: ` : `${question}: `;
  if (options.hidden) {
    // Echo nothing of what is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(shown)) process.stderr.write(shown);
      else if (s.includes("\n") || s.includes("\r")) process.stderr.write("\n");
    };
  }
  try {
    const answer = await new Promise<string>((resolve) => rl.question(shown, resolve));
    return answer.trim() || options.default || "";
  } finally {
    rl.close();
  }
}

export async function confirm(question: string): Promise<boolean> {
  const answer = await ask(`${question} [y/N]`);
  return /^y(es)?$/i.test(answer);
}
