// Read-only catalog endpoints: projects, the current user, instance types, spot availability.
// All answer bare arrays (or an object for /me), as the seed lists them.
import { BUILTIN_INSTANCE_TYPES } from "../../fcp-api/builtin-catalog";
import { ok, type ApiHandler } from "../api";
import { availabilityView, projectView } from "../views";
import { checkInstanceTypeFid, checkRegion } from "../validation";

export const listProjects: ApiHandler = async (_req, { store }) =>
  store.read((state) => ok(Object.values(state.projects).map(projectView)));

export const getMe: ApiHandler = async (_req, { store }) =>
  store.read((state) => ok({ fid: state.user.fid, username: state.user.username, email: state.user.email }));

export const listInstanceTypes: ApiHandler = async () => ok(BUILTIN_INSTANCE_TYPES.map((t) => ({ ...t })));

export const getAvailability: ApiHandler = async (req, { store }) => {
  const instanceType = req.query.get("instance_type");
  if (instanceType !== null) checkInstanceTypeFid("instance_type", instanceType);
  const region = req.query.get("region");
  if (region !== null) checkRegion("region", region);
  return store.read((state) =>
    ok(availabilityView(state).filter((a) => (instanceType === null || a.instance_type === instanceType) && (region === null || a.region === region))),
  );
};
