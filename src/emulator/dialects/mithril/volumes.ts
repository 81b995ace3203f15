// Volumes in the mithril dialect: disk_interface Block|File, the name rules, PATCH to rename, and
// a 409 for deleting one a live bid holds.
import { ok, type ApiHandler } from "../../api";
import { ApiProblem, notFound, show } from "../../problem";
import { isLiveBid, ownRecord, type EmulatorState } from "../../state";
import { volumeAttachments } from "../../views";
import { placeVolume } from "../../routes/volumes";
import { checkProject } from "../../validation";
import { createVolumeRequest, listVolumesQuery, parseMithrilBody, parseMithrilQuery, updateVolumeRequest } from "./requests";
import { mithrilBidStatus, volumeView } from "./views";

function shownVolume(state: EmulatorState, fid: string) {
  return volumeView(state.volumes[fid], volumeAttachments(state).get(fid) ?? []);
}

export const listVolumes: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery(listVolumesQuery, ["project"], req.query);
  return store.read((state) => {
    checkProject(state, "project", q.project);
    const attached = volumeAttachments(state);
    return ok(
      Object.values(state.volumes)
        .filter((v) => v.project === q.project && (q.region === undefined || v.region === q.region))
        .map((v) => volumeView(v, attached.get(v.fid) ?? [])),
    );
  });
};

export const createVolume: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(createVolumeRequest, req.body);
  const view = await store.change(
    (state, context) =>
      placeVolume(state, context, {
        project: input.project as string,
        region: input.region as string,
        name: input.name as string,
        sizeGb: input.size_gb as number,
        interface: input.disk_interface === "Block" ? "block" : "file",
      }),
    (fid, state) => shownVolume(state, fid),
  );
  return { status: 201, body: view };
};

function readVolume(state: EmulatorState, fid: string) {
  const volume = ownRecord(state.volumes, fid);
  if (!volume) throw notFound(`No volume ${show(fid)}. GET /v2/volumes?project=<project FID> lists them.`, { field: "volume_fid", value: fid });
  return volume;
}

export const updateVolume: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(updateVolumeRequest, req.body);
  const view = await store.change(
    (state, { now }) => {
      const volume = readVolume(state, req.params.fid);
      volume.name = input.name as string;
      volume.updatedAt = now;
      return volume.fid;
    },
    (fid, state) => shownVolume(state, fid),
  );
  return ok(view);
};

export const deleteVolume: ApiHandler = async (req, { store }) => {
  await store.change((state) => {
    const volume = readVolume(state, req.params.fid);
    const holder = Object.values(state.bids).find((b) => isLiveBid(b) && b.volumes.includes(volume.fid));
    if (holder) {
      throw new ApiProblem(409, "CONFLICT", `Volume ${volume.fid} is attached to bid ${holder.fid} (${mithrilBidStatus(holder)}). Cancel the bid, or PATCH its volumes without this one, then delete the volume.`);
    }
    delete state.volumes[volume.fid];
  });
  return { status: 204 };
};
