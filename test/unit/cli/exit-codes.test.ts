// Each failure class has its own exit code, and tables line up.
import { APIError, AuthenticationError, FlowError, NetworkError, BidNotFoundError, TimeoutError, ValidationError } from "../../../src/fcp-api/errors";
import { EXIT, exitCodeOf, UsageError } from "../../../src/cli/exit-codes";
import { age, formatError, table } from "../../../src/cli/output";
import { TaskTimeoutError } from "../../../src/sdk/task-handle";

test.each([
  [new AuthenticationError("no"), EXIT.auth],
  [new BidNotFoundError("no"), EXIT.notFound],
  [new APIError("no", { statusCode: 500 }), EXIT.api],
  [new NetworkError("no"), EXIT.api],
  [new TimeoutError("no"), EXIT.timeout],
  [new TaskTimeoutError("no", []), EXIT.timeout],
  [new ValidationError("no"), EXIT.usage],
  [new UsageError("no"), EXIT.usage],
  [new FlowError("no", { errorCode: "INTERRUPTED" }), EXIT.interrupted],
  [new Error("boom"), EXIT.generic],
])("%s → %i", (e, code) => expect(exitCodeOf(e)).toBe(code));

test("tables pad columns, right-align numbers, trim line ends", () => {
  const out = table([{ n: "a", c: "$1.00" }, { n: "long-name", c: "$10.00" }], [
    { header: "NAME", value: (r) => r.n },
    { header: "COST", value: (r) => r.c, align: "right" },
  ]);
  expect(out).toBe("NAME         COST\na           $1.00\nlong-name  $10.00");
});

test("errors print their suggestions as hints; ages are short", () => {
  expect(formatError(new ValidationError("bad", { suggestions: ["do this"] }))).toBe("error: bad\n  hint: do this");
  const now = Date.parse("2026-01-02T00:00:00Z");
  expect([age("2026-01-01T23:59:30Z", now), age("2026-01-01T23:00:00Z", now), age("2025-12-30T00:00:00Z", now), age(undefined, now)]).toEqual(["30s", "1h", "3d", "-"]);
});
