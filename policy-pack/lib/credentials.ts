// Recognises values that look like credentials, for env vars written in plaintext. Specific
// token formats are matched anywhere in the value; the generic rule needs a secret-like name and
// a random-looking value, so that paths, versions and flags under such names are not flagged.

/** What a value looks like, said so that the message never repeats the value itself. */
export type CredentialKind = string;

const TOKEN_FORMATS: readonly { kind: CredentialKind; re: RegExp }[] = [
  { kind: "an AWS access key ID", re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: "a GitHub token", re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { kind: "a GitLab token", re: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { kind: "a Slack token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: "a private key", re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { kind: "a Hugging Face token", re: /\bhf_[A-Za-z0-9]{30,}/ },
  { kind: "an OpenAI or Anthropic API key", re: /\bsk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{20,}/ },
  { kind: "a Google API key", re: /\bAIza[0-9A-Za-z_-]{35}/ },
  { kind: "a Stripe secret key", re: /\b[rs]k_live_[0-9A-Za-z]{20,}/ },
  { kind: "a URL with an embedded password", re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s/@]+@/i },
];

const WANDB_NAME = /WANDB.*(?:KEY|TOKEN)/i;
const WANDB_KEY = /^[0-9a-f]{40}$/;
const PASSWORD_NAME = /(?:^|_)(?:PASSWORD|PASSWD|PASSPHRASE)$/i;
const SECRET_NAME = /(?:^|_)(?:TOKEN|SECRET|KEY|CREDENTIALS?|AUTH)$/i;
const PATH_LIKE = /^(?:\/|\.{1,2}\/|~\/|[a-z][a-z0-9+.-]*:\/\/)|\/.*\.[A-Za-z0-9]{1,5}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Runs of token characters (base64 and hex alphabets). */
const TOKEN_RUN = /[A-Za-z0-9+/=]{16,}/g;

/** Bits of Shannon entropy per character. */
export function entropyPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...value].length;
  let bits = 0;
  for (const c of counts.values()) bits -= (c / n) * Math.log2(c / n);
  return bits;
}

/**
 * What the env var `name=value` looks like, or undefined when it does not look like a credential.
 * `generic` enables the name-based rule (TOKEN, SECRET, KEY, PASSWORD, ... with a random value).
 */
export function findCredential(name: string, value: string, generic: boolean): CredentialKind | undefined {
  for (const f of TOKEN_FORMATS) if (f.re.test(value)) return f.kind;
  const v = value.trim();
  if (WANDB_NAME.test(name) && WANDB_KEY.test(v)) return "a Weights & Biases API key";
  if (!generic) return undefined;
  if (PASSWORD_NAME.test(name) && v.length >= 8 && !isReference(v)) return "a password";
  if (SECRET_NAME.test(name) && looksRandom(v)) return "a secret (a random-looking value under a secret-like name)";
  return undefined;
}

/**
 * A value with a long random-looking run (identifiers such as `meta-llama/Llama-3.1-8B` are made
 * of short words), or a UUID, which under a secret-like name is an API key.
 */
function looksRandom(v: string): boolean {
  if (v.length < 16 || /\s/.test(v) || isReference(v) || PATH_LIKE.test(v)) return false;
  if (UUID.test(v)) return true;
  return (v.match(TOKEN_RUN) ?? []).some((run) => {
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(run)).length;
    return classes >= 2 && entropyPerChar(run) >= 3.5;
  });
}

/** `${VAR}`, `$VAR`, `$(cmd)`: the value is read elsewhere at run time. */
function isReference(v: string): boolean {
  return /^\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*|\(.*\))$/.test(v);
}

