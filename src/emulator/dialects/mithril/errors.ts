// Errors as the live (FastAPI) service writes them: `{"detail":[{loc,msg,type}]}` for a 422,
// `{"detail":"..."}` for every other HTTP error.
import { ApiProblem } from "../../problem";

export type Loc = Array<string | number>;

/** One entry of FastAPI's 422 `detail` list (pydantic v2 error types). */
export interface FastApiIssue {
  loc: Loc;
  msg: string;
  type: string;
}

/** A 422 carrying FastAPI's issue list; thrown by the mithril request parsers. */
export class FastApiValidationProblem extends ApiProblem {
  constructor(readonly issues: FastApiIssue[]) {
    super(422, "VALIDATION_ERROR", issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; "));
  }
}

/** Where a failing field sits, for problems raised by the checks shared with the seed dialect. */
function locOf(problem: ApiProblem, method: string, pathParams: readonly string[]): Loc {
  const field = problem.details?.field;
  if (field === undefined || field === "body") return ["body"];
  const parts: Loc = field.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (pathParams.includes(field)) return ["path", ...parts];
  return [method === "GET" || method === "DELETE" ? "query" : "body", ...parts];
}

/** The response body for a problem in the mithril dialect. */
export function mithrilErrorBody(problem: ApiProblem, method: string, pathParams: readonly string[] = []): { status: number; body: unknown } {
  if (problem instanceof FastApiValidationProblem) return { status: 422, body: { detail: problem.issues } };
  // The transport's "not JSON" is a 400 in the seed; FastAPI answers it with a 422 json_invalid.
  if (problem.status === 400 && /not valid JSON/.test(problem.message)) {
    return { status: 422, body: { detail: [{ loc: ["body", 0], msg: `JSON decode error: ${problem.message}`, type: "json_invalid" }] } };
  }
  if (problem.status === 422) {
    return { status: 422, body: { detail: [{ loc: locOf(problem, method, pathParams), msg: problem.message, type: "value_error" }] } };
  }
  return { status: problem.status, body: { detail: problem.message } };
}

/** A 501 for an endpoint the live service has and the emulator does not model. */
export function notModelled(method: string, template: string): ApiProblem {
  return new ApiProblem(
    501,
    "NOT_IMPLEMENTED",
    `${method} ${template} exists in the live Mithril API but fcp-emulator does not model it (it serves spot compute: me, projects, instance-types, spot availability, bids, instances, volumes, ssh-keys). Use the live service for this endpoint.`,
  );
}
