// `flow`'s exit codes, one per failure class, so scripts can tell a typo from an outage:
//   0 ok · 1 anything else · 2 usage (bad flags, invalid task file) · 3 auth (no/invalid API key)
//   4 not found (task, volume, key) · 5 API (FCP answered with an error, or could not be reached)
//   6 timeout (a wait ran out) · 130 interrupted (Ctrl-C)
// `flow ssh -- cmd` exits with the remote command's code instead.
import { APIError, AuthenticationError, FlowError, NetworkError, ResourceNotFoundError, TimeoutError, ValidationError } from "../fcp-api/errors";
import { TaskTimeoutError } from "../sdk/task-handle";

export const EXIT = { ok: 0, generic: 1, usage: 2, auth: 3, notFound: 4, api: 5, timeout: 6, interrupted: 130 } as const;

/** A usage error found by the CLI itself (a missing argument, a bad combination of flags). */
export class UsageError extends FlowError {
  constructor(message: string, suggestions: string[] = []) {
    super(message, { errorCode: "USAGE", suggestions });
  }
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof AuthenticationError) return EXIT.auth;
  if (e instanceof ResourceNotFoundError) return EXIT.notFound;
  if (e instanceof TaskTimeoutError || e instanceof TimeoutError) return EXIT.timeout;
  if (e instanceof APIError || e instanceof NetworkError) return EXIT.api;
  if (e instanceof ValidationError || e instanceof UsageError) return EXIT.usage;
  if (e instanceof FlowError && e.errorCode === "INTERRUPTED") return EXIT.interrupted;
  return EXIT.generic;
}
