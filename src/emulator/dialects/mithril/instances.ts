// GET /v2/instances in the mithril dialect: project required, the `_in` filters, STATUS_* values.
import { ok, type ApiHandler } from "../../api";
import { checkProject } from "../../validation";
import { mithrilPage, sortRecords } from "./pagination";
import { listInstancesQuery, parseMithrilQuery } from "./requests";
import { instanceView, mithrilInstanceStatus } from "./views";

export const listInstances: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery(listInstancesQuery, ["project"], req.query);
  const statuses = q.status_in as string[] | undefined;
  const bids = q.bid_fid_in as string[] | undefined;
  const orderTypes = q.order_type_in as string[] | undefined;
  const reservations = q.reservation_fid_in as string[] | undefined;
  return store.read((state) => {
    checkProject(state, "project", q.project);
    const matches = Object.values(state.instances).filter(
      (i) =>
        i.project === q.project &&
        (q.region === undefined || i.region === q.region) &&
        (q.instance_type === undefined || i.instanceType === q.instance_type) &&
        (statuses === undefined || statuses.length === 0 || statuses.includes(mithrilInstanceStatus(i))) &&
        (bids === undefined || bids.length === 0 || bids.includes(i.bid)) &&
        // Every emulated instance belongs to a bid, none to a reservation.
        (orderTypes === undefined || orderTypes.length === 0 || orderTypes.includes("Bid")) &&
        (reservations === undefined || reservations.length === 0),
    );
    const key = (i: (typeof matches)[number]) =>
      q.sort_by === "instance_status" ? mithrilInstanceStatus(i) : q.sort_by === "instance_type_fid" ? i.instanceType : i.createdAt;
    const page = mithrilPage(sortRecords(matches, key, q.sort_dir), "instances", q.limit, q.next_cursor);
    return ok({ data: page.items.map((i) => instanceView(i, state)), next_cursor: page.nextCursor });
  });
};
