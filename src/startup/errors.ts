// Errors of script building and code packaging. Each says what failed, the sizes or values
// involved, and what to do; none ever holds a secret value.
import { FlowError, ValidationError, type FieldError, type FlowErrorOptions } from "../fcp-api/errors";

/** A StartupSpec broke a rule; `fieldErrors` lists every problem, not just the first. */
export class StartupSpecError extends ValidationError {
  constructor(message: string, fieldErrors: FieldError[], options: FlowErrorOptions = {}) {
    super(message, {
      errorCode: "STARTUP_SPEC_INVALID",
      fieldErrors,
      field: fieldErrors[0]?.field,
      suggestions: ["Fix the fields listed; each message says what is allowed."],
      ...options,
    });
  }
}

/** A value the caller marked secret (the FCP API key) would have ended up in the script. */
export class SecretInScriptError extends ValidationError {
  /** Where the secret was found: `env.NAME`, `run.command`, `code` ... never the value. */
  readonly where: string;
  constructor(where: string) {
    super(`A secret value (such as the FCP API key) would be written into the startup script, in ${where}. Startup scripts are readable by every member of the FCP project.`, {
      errorCode: "SECRET_IN_STARTUP_SCRIPT",
      field: where,
      suggestions: [
        "Remove the key from the task's env, command and code.",
        "Add files holding credentials to .flowignore so packageCode leaves them out.",
      ],
    });
    this.where = where;
  }
}

export interface ScriptSizes {
  /** The limit the script had to fit, in UTF-8 bytes. */
  limitBytes: number;
  /** Size of the plain script. */
  inlineBytes: number;
  /** Size of the gzip+base64 self-extracting form. */
  compressedBytes: number;
  /** Size of the gzipped code package inside it, if any. */
  codeBytes?: number;
  /** Size of each section of the plain script, largest first. */
  sections: { name: string; bytes: number }[];
}

/** Neither the plain nor the compressed script fits FCP's limit. */
export class ScriptTooLargeError extends FlowError {
  readonly sizes: ScriptSizes;
  constructor(sizes: ScriptSizes) {
    const largest = sizes.sections.slice(0, 3).map((s) => `${s.name} ${s.bytes}`).join(", ");
    const code = sizes.codeBytes === undefined ? "" : ` The code package alone is ${sizes.codeBytes} bytes gzipped (base64 makes it 4/3 larger).`;
    super(
      `The startup script is ${sizes.inlineBytes} bytes, and ${sizes.compressedBytes} bytes compressed; FCP accepts at most ${sizes.limitBytes}. Largest sections: ${largest}.${code}`,
      {
        errorCode: "STARTUP_SCRIPT_TOO_LARGE",
        suggestions: [
          "Exclude data, checkpoints and build outputs from the upload with a .flowignore file.",
          "Bake the code into a Docker image (run.image) and turn the code upload off.",
          "Fetch large code when the task starts instead (git clone, or a download in the command), or use the upload path that copies code to the instance after it starts.",
        ],
      },
    );
    this.sizes = sizes;
  }
}

/** The directory to package could not be read or packed. */
export class CodePackageError extends FlowError {
  constructor(message: string, options: FlowErrorOptions = {}) {
    super(message, { errorCode: "CODE_PACKAGE_ERROR", ...options });
  }
}

/** The gzipped code is larger than the upload limit. */
export class CodePackageTooLargeError extends CodePackageError {
  readonly compressedBytes: number;
  readonly limitBytes: number;
  /** The biggest files found (uncompressed sizes), to say what to exclude. */
  readonly largestFiles: { path: string; size: number }[];
  constructor(dir: string, compressedBytes: number, limitBytes: number, largestFiles: { path: string; size: number }[]) {
    const top = largestFiles.slice(0, 5).map((f) => `${f.path} (${formatBytes(f.size)})`).join(", ");
    super(
      `The code in ${dir} is more than ${formatBytes(limitBytes)} after gzip (reached ${formatBytes(compressedBytes)} before stopping). Largest files: ${top}.`,
      {
        errorCode: "CODE_PACKAGE_TOO_LARGE",
        suggestions: [
          "List data sets, checkpoints and outputs in a .flowignore file (same syntax as .gitignore).",
          "Put large files on a volume, or download them in the task's command.",
          "Bake the code into a Docker image and turn the code upload off.",
        ],
      },
    );
    this.compressedBytes = compressedBytes;
    this.limitBytes = limitBytes;
    this.largestFiles = largestFiles;
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
