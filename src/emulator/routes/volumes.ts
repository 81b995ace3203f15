// Storage volumes. A volume is attached through a bid's `volumes` list; while a live bid lists
// it, its status is "attached" and it cannot be deleted.
import { createVolumeRequestWire } from "../../fcp-api/schemas/volume";
import { ok, type ApiHandler } from "../api";
import { invalid, notFound, show } from "../problem";
import { isLiveBid, ownRecord, type EmulatorState } from "../state";
import type { ChangeContext } from "../store";
import { volumeAttachments, volumeView } from "../views";
import { checkProject, checkRegion, parseBody, rejectUnknownFields, requireObject } from "../validation";

const VOLUME_FIELDS = ["name", "size_gb", "interface", "disk_interface", "project", "region"] as const;
const VOLUME_MISTAKES: Record<string, string> = {
  capacity_gb: 'Use "size_gb" to create a volume ("capacity_gb" is how the API reports it).',
  size: 'Use "size_gb", the size in gigabytes.',
  type: 'Use "interface": "block" or "file".',
};

/** A new volume in the store (both dialects): project and region checked, a fresh FID. */
export function placeVolume(
  state: EmulatorState,
  { now, newFid }: ChangeContext,
  input: { project: string; region: string; name: string; sizeGb: number; interface: "block" | "file" },
): string {
  const project = checkProject(state, "project", input.project);
  const region = checkRegion("region", input.region);
  const { fid, seq } = newFid("volume");
  state.volumes[fid] = { seq, fid, name: input.name, project: project.fid, region, sizeGb: input.sizeGb, interface: input.interface, createdAt: now, updatedAt: now };
  return fid;
}

export const createVolume: ApiHandler = async (req, { store }) => {
  const body = requireObject(req.body);
  rejectUnknownFields(body, VOLUME_FIELDS, VOLUME_MISTAKES);
  const input = parseBody(createVolumeRequestWire, body);
  const view = await store.change(
    (state, context) => placeVolume(state, context, input),
    (fid, state) => volumeView(state.volumes[fid], []),
  );
  return { status: 201, body: view };
};

export const listVolumes: ApiHandler = async (req, { store }) => {
  const project = req.query.get("project");
  const region = req.query.get("region");
  return store.read((state) => {
    const attached = volumeAttachments(state);
    return ok(
      Object.values(state.volumes)
        .filter((v) => (project === null || v.project === project) && (region === null || v.region === region))
        .map((v) => volumeView(v, attached.get(v.fid) ?? [])),
    );
  });
};

export const deleteVolume: ApiHandler = async (req, { store }) => {
  await store.change((state) => {
    const fid = req.params.fid;
    const volume = ownRecord(state.volumes, fid);
    if (!volume) throw notFound(`No volume ${show(fid)}. GET /v2/volumes lists them.`, { field: "volume_id", value: fid });
    const holder = Object.values(state.bids).find((b) => isLiveBid(b) && b.volumes.includes(fid));
    if (holder) {
      throw invalid("volume_id", fid, `Volume ${fid} is attached to bid ${holder.fid} (${holder.status}). Cancel the bid first, then delete the volume.`);
    }
    delete state.volumes[fid];
  });
  return { status: 204 };
};
