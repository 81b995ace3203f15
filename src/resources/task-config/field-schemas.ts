// One zod schema per TaskConfig field, each with messages that say what to write instead.
import { z } from "zod";
import { FlowError } from "../../fcp-api/errors";
import { parsePriceCents } from "../../fcp-api/price";
import { parseInstanceType } from "../../fcp-api/instance-types";
import { ENV_NAME_RE } from "../../startup/env-rules";
import { forbiddenWorkingDirTree, hiddenByMount } from "../../startup/mount-rules";
import { describe, typeName } from "./describe-value";
import { dedent } from "./entrypoint";
import { MAX_VOLUME_SIZE_GB, RESERVED_ENV_PREFIXES, TASK_NAME_MAX_LENGTH } from "./limits";
import { absolutePathIssues, normalizePath } from "./paths";
import { issue, requiredString } from "./zod-issue";

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const REGION_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/;
const IMAGE_RE = buildImageReferenceRe();

export const nameSchema = requiredString('a short label for the bid and its volumes, e.g. "gpu-training"').superRefine((v, ctx) => {
  if (!v.length) return issue(ctx, "must not be empty");
  if (v.length > TASK_NAME_MAX_LENGTH) {
    issue(ctx, `must be at most ${TASK_NAME_MAX_LENGTH} characters (it prefixes the names of the bid, volumes and key), got ${v.length}`);
  }
  if (!NAME_RE.test(v)) {
    const fixed = v.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^[-_]+|[-_]+$/g, "");
    issue(ctx, 'may contain only letters, digits, "-" and "_", starting with a letter or digit', [], fixed ? [`Use name: ${JSON.stringify(fixed)}.`] : []);
  }
});

export function instanceTypeSchema(overrides: Readonly<Record<string, string>>) {
  return z.string({ error: (iss) => `must be a string such as "a100" or "8xh100", not ${typeName(iss.input)}` }).superRefine((v, ctx) => {
    if (Object.prototype.hasOwnProperty.call(overrides, v)) return;
    try {
      parseInstanceType(v);
    } catch (e) {
      if (!(e instanceof FlowError)) throw e;
      issue(ctx, e.message.replace(/\.$/, ""), [], e.suggestions);
    }
  });
}

export const minGpuMemoryGbSchema = z
  .number({ error: (iss) => `must be a number of GB, not ${typeName(iss.input)}` })
  .positive("must be more than 0 GB")
  .max(1024, "must be at most 1024 GB per GPU (no GPU has more)");

export const argvSchema = z
  .array(z.string({ error: (iss) => `must be a string, not ${typeName(iss.input)} (write numbers as strings: "10")` }))
  .superRefine((argv, ctx) => {
    if (!argv.length) return issue(ctx, "must not be empty: give the program and its arguments");
    if (!argv[0].trim()) return issue(ctx, "must not be empty: the first element is the program to run", [0]);
    if (/\s/.test(argv[0])) {
      issue(
        ctx,
        `${JSON.stringify(argv[0])} contains whitespace, so it would run a program of that exact name`,
        [0],
        [`Split it into arguments (${JSON.stringify(argv[0].trim().split(/\s+/))}) or use shell: ${JSON.stringify(argv.join(" "))}.`],
      );
    }
    argv.forEach((arg, i) => {
      if (arg.includes("\0")) issue(ctx, "must not contain a NUL character", [i]);
    });
  });

export const commandLineSchema = z.string().superRefine((v, ctx) => {
  if (!v.trim()) issue(ctx, "must not be empty");
  if (v.includes("\0")) issue(ctx, "must not contain a NUL character");
});

// A list or a string: dispatch on the type, so a list's element errors keep their paths.
export const commandSchema = z
  .unknown()
  .transform((v, ctx) => {
    const schema = Array.isArray(v) ? argvSchema : typeof v === "string" ? commandLineSchema : undefined;
    if (!schema) {
      issue(ctx, `must be a list of strings (["python", "train.py"]) or a command line string, not ${typeName(v)}`);
      return z.NEVER;
    }
    const result = schema.safeParse(v);
    if (result.success) return result.data;
    for (const i of result.error.issues) {
      const params = (i as { params?: Record<string, unknown> }).params;
      ctx.addIssue({ code: "custom", message: i.message, path: [...i.path], params });
    }
    return z.NEVER;
  }) as unknown as z.ZodType<string[] | string, string[] | string>;

export const scriptSchema = z.string().superRefine((v, ctx) => {
  const content = dedent(v);
  if (!content.trim()) return issue(ctx, "must not be empty: give the script's content");
  if (v.includes("\0")) issue(ctx, "must not contain a NUL character");
  const first = content.split("\n", 1)[0];
  if (first.startsWith("#!") && !/^#!\s*\/\S+/.test(first)) {
    issue(ctx, `its first line ${JSON.stringify(first)} must name an absolute interpreter path`, [], ["Write e.g. #!/usr/bin/env python3 or #!/bin/bash."]);
  }
});

export const imageSchema = z.string().superRefine((v, ctx) => {
  if (!v.trim()) return issue(ctx, "must not be empty; omit image to run the command on the host");
  if (v.length > 512 || !IMAGE_RE.test(v)) {
    const lower = v.trim().toLowerCase();
    const hint = IMAGE_RE.test(lower) && lower !== v ? [`Repository names are lowercase: use image: ${JSON.stringify(lower)}.`] : [];
    issue(ctx, 'is not a valid image reference (expected e.g. "nvidia/cuda:12.1.0-runtime-ubuntu22.04" or "ghcr.io/org/app@sha256:...")', [], hint);
  }
});

export const envValueSchema = z
  .union([z.string(), z.number(), z.boolean()], {
    error: (iss) => `must be a string (numbers and booleans are converted), not ${typeName(iss.input)}`,
  })
  .transform(String);

export const envSchema = z.record(z.string(), envValueSchema).superRefine((env, ctx) => {
  for (const key of Object.keys(env)) {
    if (!ENV_NAME_RE.test(key)) {
      const fixed = key.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1");
      issue(ctx, "is not a valid environment variable name (letters, digits and _, not starting with a digit)", [key], [`Rename it to ${fixed}.`]);
    } else {
      const prefix = reservedEnvPrefix(key);
      if (prefix) {
        issue(ctx, `uses the prefix ${prefix}, which is reserved for variables the Task sets itself (FLOW_NODE_RANK, FLOW_NUM_NODES, ...)`, [key], [
          `Rename it, e.g. to MY_${key}.`,
        ]);
      }
    }
  }
});

export const sshKeysSchema = z
  .array(z.string({ error: (iss) => `must be an FCP SSH key id string, not ${typeName(iss.input)}` }), {
    error: (iss) =>
      typeof iss.input === "string" ? `must be a list of key ids: write [${JSON.stringify(iss.input)}]` : `must be a list of FCP SSH key ids, not ${typeName(iss.input)}`,
  })
  .superRefine((keys, ctx) => {
    const seen = new Set<string>();
    keys.forEach((key, i) => {
      if (!key.trim()) return issue(ctx, "must not be empty", [i]);
      if (/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-|sk-)/.test(key) || key.includes("PRIVATE KEY")) {
        return issue(ctx, "looks like key material, but sshKeys takes FCP key ids (ssh-key_...)", [i], [
          "Create an SshKey resource with publicKey and pass its keyId, or omit sshKeys to have a key generated.",
        ]);
      }
      if (key.includes("/") || key.startsWith("~") || /\.pub$/.test(key)) {
        return issue(ctx, "looks like a file path, but sshKeys takes FCP key ids (ssh-key_...)", [i], [
          "Create an SshKey resource from the file's public key and pass its keyId.",
        ]);
      }
      if (/\s/.test(key)) return issue(ctx, "must not contain whitespace (FCP key ids have none)", [i]);
      if (seen.has(key)) issue(ctx, `repeats ${JSON.stringify(key)}; give each key once`, [i]);
      seen.add(key);
    });
  })
  .transform((keys) => (keys.length ? keys : undefined));

export const mountPathSchema = requiredString('an absolute path on the instance, e.g. "/data"')
  .superRefine((v, ctx) => {
    const problem = absolutePathIssues(v, hiddenByMount);
    if (problem) issue(ctx, problem.message, [], problem.suggestions);
  })
  .transform(normalizePath);

/** A volume's fields; which combinations are allowed is the volume spec's rule (`shape.ts`). */
export const volumeShape = {
  sizeGb: z
    .number({ error: (iss) => `must be a whole number of GB, not ${typeName(iss.input)}` })
    .int("must be a whole number of GB")
    .min(1, "must be at least 1 GB")
    .max(MAX_VOLUME_SIZE_GB, `must be at most ${MAX_VOLUME_SIZE_GB} GB (FCP's largest volume)`)
    .optional(),
  mountPath: mountPathSchema,
  name: z
    .string()
    .superRefine((v, ctx) => {
      if (!NAME_RE.test(v) || v.length > 128) {
        issue(ctx, 'may contain only letters, digits, "-" and "_" (at most 128), starting with a letter or digit');
      }
    })
    .optional(),
  interface: z.enum(["block", "file"], { error: (iss) => `must be "block" or "file", not ${describe(iss.input)}` }).optional(),
  volumeId: z
    .string()
    .superRefine((v, ctx) => {
      if (!v.trim() || /\s/.test(v)) issue(ctx, "must be an FCP volume id such as vol_abc123 (no whitespace)");
    })
    .optional(),
};

export const priceSchema = z
  .union([z.number(), z.string()], {
    error: (iss) =>
      iss.input === undefined
        ? 'is required: the most the bid may pay per instance-hour, in dollars (25) or as FCP writes it ("$25.00"); FCP bids need a limit price and pulumi-fcp never picks one'
        : `must be dollars per instance-hour, as a number (12.5) or a string ("$12.50"), not ${typeName(iss.input)}`,
  })
  .transform((v, ctx) => {
    try {
      const cents = parsePriceCents(v, "maxPricePerHour");
      if (cents <= 0) {
        issue(ctx, "must be more than $0.00 per instance-hour");
        return z.NEVER;
      }
      return cents;
    } catch (e) {
      if (!(e instanceof FlowError)) throw e;
      issue(ctx, e.message.replace(/^Invalid maxPricePerHour .*?: it /, "").replace(/\.$/, ""), [], e.suggestions);
      return z.NEVER;
    }
  });

export const workingDirSchema = z
  .string()
  .superRefine((v, ctx) => {
    const problem = absolutePathIssues(v, forbiddenWorkingDirTree);
    if (problem) issue(ctx, problem.message, [], problem.suggestions);
  })
  .transform(normalizePath);

export const regionSchema = z.string().superRefine((v, ctx) => {
  if (!REGION_RE.test(v)) {
    const lower = v.trim().toLowerCase();
    issue(ctx, 'is not a region name such as "us-central1-b"', [], REGION_RE.test(lower) ? [`Use region: ${JSON.stringify(lower)}.`] : []);
  }
});

export function reservedEnvPrefix(name: string): string | undefined {
  return RESERVED_ENV_PREFIXES.find((p) => name.toUpperCase().startsWith(p));
}

// Docker's reference grammar: [host[:port]/]path[:tag][@digest], lowercase repository path.
function buildImageReferenceRe(): RegExp {
  const label = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
  const host = `(?:${label}(?:\\.${label})*(?::[0-9]+)?/)`;
  const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  const tag = "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
  const digest = "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})";
  return new RegExp(`^${host}?${component}(?:/${component})*${tag}?${digest}?$`);
}
