// GET /v2/instances: paginated like bids, filterable by bid, project, type, region and status.
import { ok, type ApiHandler } from "../api";
import { paginate } from "../pagination";
import { invalid, show } from "../problem";
import { INSTANCE_STATUSES } from "../../fcp-api/schemas/status";
import { instanceView } from "../views";
import { checkInstanceTypeFid } from "../validation";

export const listInstances: ApiHandler = async (req, { store }) => {
  const q = req.query;
  const status = q.get("status");
  if (status !== null && !(INSTANCE_STATUSES as readonly string[]).includes(status)) {
    throw invalid("status", status, `Unknown instance status ${show(status)}.`, [...INSTANCE_STATUSES]);
  }
  const instanceType = q.get("instance_type");
  if (instanceType !== null) checkInstanceTypeFid("instance_type", instanceType);
  const bid = q.get("bid");
  const project = q.get("project");
  const region = q.get("region");
  return store.read((state) => {
    const matches = Object.values(state.instances).filter(
      (i) =>
        (bid === null || i.bid === bid) &&
        (project === null || i.project === project) &&
        (region === null || i.region === region) &&
        (instanceType === null || i.instanceType === instanceType) &&
        (status === null || i.status === status),
    );
    const page = paginate(matches, q, "instances");
    return ok({ data: page.items.map(instanceView), next_cursor: page.nextCursor });
  });
};
