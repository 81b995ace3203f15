// Assembles the sections in their fixed order, then picks the plain script when it fits FCP's
// limit and the self-extracting gzip+base64 form when only that fits.
import { compressScript } from "./compress-script";
import { STARTUP_SCRIPT_LIMIT } from "./constants";
import { ScriptTooLargeError, SecretInScriptError } from "./errors";
import { sha256Hex } from "./hash";
import { resolveStartupSpec, type ResolvedStartupSpec } from "./resolve-startup-spec";
import { clusterSection } from "./sections/cluster";
import { codeSection } from "./sections/code";
import { deliverySection } from "./sections/delivery";
import { completionSection } from "./sections/completion";
import { environmentSection } from "./sections/environment";
import { headerSection } from "./sections/header";
import { limitsSection } from "./sections/limits";
import { runSection } from "./sections/run";
import type { StartupSection, StartupSectionName } from "./sections/section";
import { volumesSection } from "./sections/volumes";
import type { StartupSpec } from "./spec";

/** The sections, in the order the script runs them. */
export const STARTUP_SECTIONS: readonly StartupSection[] = [
  headerSection,
  environmentSection,
  volumesSection,
  deliverySection,
  codeSection,
  clusterSection,
  runSection,
  limitsSection,
  completionSection,
];

export type StartupStrategy = "inline" | "compressed";

export interface BuildStartupScriptOptions {
  /**
   * Largest script accepted, in UTF-8 bytes: the one setting of the startup-script limit.
   *
   * Bytes are never fewer than characters, so a script under the limit fits FCP's 10,000
   * characters under either reading of it. The default is what the seed and the live client
   * (flow-compute 3.28.2, citing Mithril's docs) document; the live OpenAPI states no maxLength.
   * See `STARTUP_SCRIPT_MAX_CHARS` in `fcp-api/limits.ts` for the sources.
   * @default 10000
   */
  maxBytes?: number;
  /**
   * Force one form instead of the smallest that fits ("auto": plain when it fits).
   *
   * @default "auto"
   */
  strategy?: "auto" | StartupStrategy;
  /**
   * Values that must never appear in the script or in the code inside it, typically the FCP
   * API key. Building fails with `SecretInScriptError` (which never includes the value).
   * @default - no check
   */
  secrets?: string[];
}

export interface StartupScript {
  /** The script to send as the bid's `startup_script`. */
  script: string;
  /** UTF-8 size of `script`. */
  bytes: number;
  /** Unicode code points in `script`. */
  characters: number;
  strategy: StartupStrategy;
  /** The sections present in the plain script and their sizes in bytes, in script order. */
  sections: { name: StartupSectionName; bytes: number }[];
  /** sha256 (hex) of `script`. */
  sha256: string;
  /** Size of the plain script, also when the compressed form was chosen. */
  inlineBytes: number;
  /**
   * sha256 of what the script does: the validated spec with the code package replaced by the
   * hash of its uncompressed tar. Unlike `sha256`, it does not change when a different zlib
   * compresses the same code, so a diff can rely on it.
   */
  fingerprint: string;
}

function renderSections(spec: ResolvedStartupSpec): { text: string; sections: StartupScript["sections"] } {
  const parts: { name: StartupSectionName; text: string }[] = [];
  for (const section of STARTUP_SECTIONS) {
    const text = section.render(spec);
    if (text !== undefined) parts.push({ name: section.name, text: `${text}\n` });
  }
  return {
    text: parts.map((p) => p.text).join(""),
    sections: parts.map((p) => ({ name: p.name, bytes: Buffer.byteLength(p.text, "utf8") })),
  };
}

function fingerprintOf(spec: ResolvedStartupSpec, codeTar: Buffer | undefined): string {
  const canonical = {
    format: 1,
    ...spec,
    code: codeTar === undefined ? null : sha256Hex(codeTar),
  };
  return sha256Hex(JSON.stringify(canonical));
}

function findSecret(spec: ResolvedStartupSpec, script: string, codeTar: Buffer | undefined, secrets: readonly string[]): string | undefined {
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const [name, value] of spec.env) if (value.includes(secret) || name.includes(secret)) return `env.${name}`;
    const command = spec.run.command;
    if (command !== undefined && (typeof command === "string" ? command : command.join("\0")).includes(secret)) return "run.command";
    if (codeTar?.includes(Buffer.from(secret, "utf8"))) return "the code package";
    if (script.includes(secret)) return "the startup script";
  }
  return undefined;
}

/**
 * Builds the first-boot script for `spec`. The same spec always gives the same script.
 *
 * Throws `StartupSpecError` (every invalid field), `SecretInScriptError`, or
 * `ScriptTooLargeError` (with the sizes and what to do).
 */
export function buildStartupScript(spec: StartupSpec, options: BuildStartupScriptOptions = {}): StartupScript {
  const resolved = resolveStartupSpec(spec);
  const maxBytes = options.maxBytes ?? STARTUP_SCRIPT_LIMIT;
  const strategy = options.strategy ?? "auto";
  const { text: inline, sections } = renderSections(resolved);
  const codeTar = resolved.code?.tar;

  const where = findSecret(resolved, inline, codeTar, options.secrets ?? []);
  if (where) throw new SecretInScriptError(where);

  const inlineBytes = Buffer.byteLength(inline, "utf8");
  let script: string | undefined;
  let chosen: StartupStrategy = "inline";
  if (strategy !== "compressed" && inlineBytes <= maxBytes) script = inline;
  let compressedBytes = 0;
  if (script === undefined && strategy !== "inline") {
    const compressed = compressScript(inline, resolved.taskName);
    compressedBytes = Buffer.byteLength(compressed, "utf8");
    if (compressedBytes <= maxBytes) {
      script = compressed;
      chosen = "compressed";
    }
  }
  if (script === undefined) {
    if (compressedBytes === 0) compressedBytes = Buffer.byteLength(compressScript(inline, resolved.taskName), "utf8");
    throw new ScriptTooLargeError({
      limitBytes: maxBytes,
      inlineBytes,
      compressedBytes,
      codeBytes: resolved.code?.bytes.length,
      sections: [...sections].sort((a, b) => b.bytes - a.bytes),
    });
  }
  return {
    script,
    bytes: Buffer.byteLength(script, "utf8"),
    characters: [...script].length,
    strategy: chosen,
    sections,
    sha256: sha256Hex(script),
    inlineBytes,
    fingerprint: fingerprintOf(resolved, codeTar),
  };
}
