// Spot bids in the mithril dialect: POST with the nested launch_specification, the single-bid GET,
// PATCH (price, pause, volumes), DELETE, and the sortable, capitalised-status listing.
import { ok, type ApiHandler } from "../../api";
import { ApiProblem } from "../../problem";
import { applyPriceAndPause, checkVolumes, placeBid, readBid } from "../../routes/bids";
import { FINAL_BID_STATUSES } from "../../state";
import { checkInstanceTypeFid, checkProject, checkWirePrice } from "../../validation";
import type { DialectSettings } from "../dialect";
import { FastApiValidationProblem } from "./errors";
import { mithrilPage, sortRecords } from "./pagination";
import { createBidRequest, listBidsQuery, parseMithrilBody, parseMithrilQuery, updateBidRequest, type Parsed } from "./requests";
import { bidView, mithrilBidStatus } from "./views";

/** Fields the bid rules name at the top level that the live request nests in launch_specification. */
const LAUNCH_FIELD = /^(ssh_keys|startup_script|volumes)(\.|$)/;

/** Runs shared checks and moves what they say about launch fields to where mithril has them. */
function inLaunchSpecification<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    const field = err instanceof ApiProblem ? err.details?.field : undefined;
    if (err instanceof ApiProblem && err.status === 422 && field !== undefined && LAUNCH_FIELD.test(field)) {
      throw new ApiProblem(err.status, err.code, err.message, { ...err.details, field: `launch_specification.${field}` });
    }
    throw err;
  }
}

function requireMithrilPositive(field: string, value: number): void {
  if (value < 1) throw new FastApiValidationProblem([{ loc: ["body", field], msg: `${field} must be at least 1; got ${value}.`, type: "value_error" }]);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

export function createBid(settings: DialectSettings): ApiHandler {
  return async (req, { store }) => {
    const input = parseMithrilBody(createBidRequest, req.body);
    const spec = input.launch_specification as Parsed;
    checkWirePrice("limit_price", input.limit_price);
    requireMithrilPositive("instance_quantity", input.instance_quantity as number);
    if (typeof spec.memory_gb === "number") {
      throw new FastApiValidationProblem([
        { loc: ["body", "launch_specification", "memory_gb"], msg: "memory_gb cannot be set: no emulated instance type has adjustable memory (adjustable_memory is false).", type: "value_error" },
      ]);
    }
    const view = await store.change(
      (state, ctx) =>
        inLaunchSpecification(() =>
          placeBid(
            state,
            ctx,
            {
              project: input.project,
              region: input.region,
              instanceType: input.instance_type,
              quantity: input.instance_quantity as number,
              limitPrice: input.limit_price as string,
              name: input.name as string,
              sshKeys: strings(spec.ssh_keys),
              startupScript: typeof spec.startup_script === "string" ? spec.startup_script : "",
              volumes: strings(spec.volumes),
            },
            settings.maxStartupScriptChars,
          ),
        ),
      (fid, state) => bidView(state.bids[fid]),
    );
    return { status: 201, body: view };
  };
}

export const getBid: ApiHandler = async (req, { store }) => store.read((state) => ok(bidView(readBid(state, req.params.fid))));

export const updateBid: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(updateBidRequest, req.body);
  if (typeof input.limit_price === "string") checkWirePrice("limit_price", input.limit_price);
  if (typeof input.memory_gb === "number") {
    throw new FastApiValidationProblem([{ loc: ["body", "memory_gb"], msg: "memory_gb cannot change: no emulated instance type has adjustable memory.", type: "value_error" }]);
  }
  const view = await store.change(
    (state, { now }) => {
      const bid = readBid(state, req.params.fid);
      if (FINAL_BID_STATUSES.includes(bid.status)) {
        throw new ApiProblem(409, "CONFLICT", `Bid ${bid.fid} is terminated and can no longer be changed.`);
      }
      const volumes = Array.isArray(input.volumes) ? strings(input.volumes) : undefined;
      if (volumes) inLaunchSpecification(() => checkVolumes(state, bid.project, bid.region, bid.quantity, volumes, bid.fid));
      // Everything is checked; from here the edits cannot fail.
      let changed = applyPriceAndPause(bid, input);
      if (volumes && JSON.stringify(volumes) !== JSON.stringify(bid.volumes)) {
        changed = true;
        bid.volumes = volumes;
      }
      if (changed) bid.updatedAt = now;
      return bid.fid;
    },
    (fid, state) => bidView(state.bids[fid]),
  );
  return ok(view);
};

// Cancelling is the same in both dialects: 204, and harmless when repeated.
export { cancelBid } from "../../routes/bids";

export const listBids: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery(listBidsQuery, [], req.query);
  return store.read((state) => {
    if (typeof q.project === "string") checkProject(state, "project", q.project);
    if (typeof q.instance_type === "string") checkInstanceTypeFid("instance_type", q.instance_type);
    const matches = Object.values(state.bids).filter(
      (b) =>
        (q.project === undefined || b.project === q.project) &&
        (q.region === undefined || b.region === q.region) &&
        (q.instance_type === undefined || b.instanceType === q.instance_type) &&
        (q.name === undefined || b.name === q.name) &&
        (q.status === undefined || mithrilBidStatus(b) === q.status),
    );
    const sorted = sortRecords(matches, (b) => (q.sort_by === "status" ? mithrilBidStatus(b) : b.createdAt), q.sort_dir);
    const page = mithrilPage(sorted, "bids", q.limit, q.next_cursor);
    return ok({ data: page.items.map(bidView), next_cursor: page.nextCursor });
  });
};
