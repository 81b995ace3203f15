// Which wire dialect the client speaks: the seed's FCP v2 reference ("seed") or the live Mithril
// service's published OpenAPI description ("mithril"). "auto" starts with the seed's and switches
// when a 422 answer is written in the other dialect's error format (see `DialectState`).
import { ValidationError, ValidationAPIError } from "../fcp-api/errors";
import { fastApiErrorBody, seedErrorBody } from "../fcp-api/schemas/error-body";

export const DIALECTS = ["seed", "mithril"] as const;
export type Dialect = (typeof DIALECTS)[number];

export const DIALECT_SETTINGS = ["auto", ...DIALECTS] as const;
export type DialectSetting = (typeof DIALECT_SETTINGS)[number];

/** The dialect `auto` starts with: the seed is this project's specification. */
export const AUTO_START_DIALECT: Dialect = "seed";

/** Hosts of the live service (ML Foundry, now Mithril), where `auto` starts in its dialect. */
const LIVE_HOSTS = [/^api\.mlfoundry\.com$/, /^api\.(staging\.)?mithril\.ai$/];

/**
 * The dialect `auto` starts with for this API URL: the live service's hosts speak `mithril`, so
 * no first request there is refused for its shape; anything else (an emulator, a proxy) starts
 * with the seed's and switches on the first 422 in the other format.
 */
export function autoStartDialect(apiUrl: string | undefined): Dialect {
  try {
    return apiUrl && LIVE_HOSTS.some((h) => h.test(new URL(apiUrl).hostname)) ? "mithril" : AUTO_START_DIALECT;
  } catch {
    return AUTO_START_DIALECT;
  }
}

/** A setting as written by a user (env var, config file, Pulumi config), checked. */
export function parseDialectSetting(raw: string, source: string): DialectSetting {
  const value = raw.trim().toLowerCase();
  if ((DIALECT_SETTINGS as readonly string[]).includes(value)) return value as DialectSetting;
  throw new ValidationError(`${source} is ${JSON.stringify(raw)}, which is not a dialect: use auto, seed or mithril.`, {
    field: "dialect",
    suggestions: ["`auto` (the default) detects the server's dialect; `mithril` is the live service; `seed` is the FCP v2 reference and the emulator's default."],
  });
}

/**
 * The dialect a 422 body is written in: FastAPI's request-validation format
 * (`{"detail":[{loc,msg,type}]}`) is the live service's, `{"error":{...}}` the seed's. A
 * FastAPI `{"detail":"..."}` string is not taken as proof: handlers of any server can raise it.
 */
export function errorBodyDialect(body: unknown): Dialect | undefined {
  if (seedErrorBody.safeParse(body).success) return "seed";
  const fast = fastApiErrorBody.safeParse(body);
  if (fast.success && Array.isArray(fast.data.detail) && fast.data.detail.length > 0) {
    const looksLikeRequestValidation = fast.data.detail.every((d) => Array.isArray(d.loc) && typeof d.msg === "string" && typeof d.type === "string");
    if (looksLikeRequestValidation) return "mithril";
  }
  return undefined;
}

/**
 * The dialect in force for one client (shared by its `withOptions` copies). With `auto`, a 422
 * in the other dialect's format switches it; every later request is built in the new one.
 */
export class DialectState {
  private current: Dialect;

  constructor(
    readonly setting: DialectSetting,
    autoStart: Dialect = AUTO_START_DIALECT,
  ) {
    this.current = setting === "auto" ? autoStart : setting;
  }

  get dialect(): Dialect {
    return this.current;
  }

  /**
   * Called with a failed request's error. Returns the dialect to retry in when the error is a 422
   * written in the other dialect (and the setting allows switching), else undefined.
   *
   * Why a retry is safe, even for `POST /v2/spot/bids`: a 422 is the server refusing the request
   * before acting on it; FastAPI validates the body before any handler code runs, and the seed's
   * 422s are validation errors too. So the refused request created nothing, and sending the
   * re-shaped request once cannot make a second bid. Any other failure (a timeout, a 5xx) is not
   * retried here: those go through `createSafely`, which looks the bid up by name first.
   */
  switchOn(error: unknown): Dialect | undefined {
    if (this.setting !== "auto" || !(error instanceof ValidationAPIError) || error.statusCode !== 422) return undefined;
    const spoken = errorBodyDialect(error.responseBody);
    if (spoken === undefined || spoken === this.current) return undefined;
    this.current = spoken;
    return spoken;
  }
}
