// What text (env values, commands) a startup script can carry through bash unchanged.

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `value` cannot be passed to the task as is; undefined when it can. */
export function textProblem(value: string): string | undefined {
  if (NUL.test(value)) return "must not contain a NUL character";
  if (LONE_SURROGATE.test(value)) return "must be valid Unicode (it holds a lone UTF-16 surrogate)";
  return undefined;
}
