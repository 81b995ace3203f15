// Volumes, run for real against stub blkid/mkfs/mount: a device is waited for (bounded), a
// filesystem is made only when blkid finds none, and fstab gets a nofail entry.
import { readFileSync } from "node:fs";
import { buildStartupScript, parseStartupStatus, type StartupSpec, type StartupVolume } from "../../../src/startup";
import { PROBE, readProbe, removeSandbox, runInSandbox, type SandboxOptions, type SandboxResult } from "./sandbox";

const sandboxes: string[] = [];
const hostFstab = readFileSync("/etc/fstab", "utf8");
afterAll(async () => {
  for (const root of sandboxes) await removeSandbox(root);
});

test("the host's own /etc/fstab is never touched", async () => {
  await run([block()], { files: { "/dev/vdb": "" }, symlinks: { [BY_ID]: "../../vdb" } });
  expect(readFileSync("/etc/fstab", "utf8")).toBe(hostFstab);
});

const BY_ID = "/dev/disk/by-id/virtio-vol_data01";

async function run(volumes: StartupVolume[], options: SandboxOptions = {}): Promise<SandboxResult> {
  const spec: StartupSpec = { taskName: "vol", volumes, run: { command: [PROBE], gpus: false } };
  const result = await runInSandbox(buildStartupScript(spec).script, options);
  sandboxes.push(result.root);
  return result;
}

const fstab = (r: SandboxResult): string[] => r.readText("/etc/fstab").split("\n").filter((l) => l && !l.startsWith("#"));
const status = (r: SandboxResult) => parseStartupStatus(r.readText("/var/lib/flow/status.json"));
const block = (extra: Partial<Extract<StartupVolume, { interface: "block" }>> = {}): StartupVolume => ({
  interface: "block",
  volumeId: "vol_data01",
  mountPath: "/data",
  ...extra,
});

describe("a block volume", () => {
  test("with a filesystem already on it is mounted, never formatted", async () => {
    const r = await run([block()], {
      files: { "/dev/vdb": "" },
      symlinks: { [BY_ID]: "../../vdb" },
      filesystems: { "/dev/vdb": ["ext4", "1111-existing"] },
    });
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("mkfs.ext4")).toEqual([]);
    expect(r.callsOf("mkfs")).toEqual([]);
    expect(r.callsOf("blkid")[0]).toEqual(["-p", "/dev/vdb"]);
    expect(r.callsOf("mount")).toEqual([["/dev/vdb", "/data"]]);
    expect(fstab(r)).toEqual(["UUID=1111-existing /data auto defaults,nofail 0 2"]);
    expect(status(r)).toMatchObject({ status: "succeeded" });
  });

  test("that is blank gets ext4 first, then the mount and an fstab entry by UUID", async () => {
    const r = await run([block()], { files: { "/dev/vdb": "" }, symlinks: { [BY_ID]: "../../vdb" } });
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("mkfs.ext4")).toEqual([["-q", "-m", "0", "/dev/vdb"]]);
    expect(r.callsOf("mount")).toEqual([["/dev/vdb", "/data"]]);
    expect(fstab(r)).toEqual(["UUID=mkfs-_dev_vdb /data auto defaults,nofail 0 2"]);
  });

  test("is never formatted when blkid is unsure (ambiguous signatures), and the step fails", async () => {
    const r = await run([block()], { files: { "/dev/vdb": "" }, symlinks: { [BY_ID]: "../../vdb" }, exitCodes: { blkid: [8] } });
    expect(r.exitCode).toBe(1);
    expect(r.callsOf("mkfs.ext4")).toEqual([]);
    expect(r.callsOf("mount")).toEqual([]);
    expect(status(r)).toMatchObject({ status: "failed", step: "volumes", exit_code: 1 });
    expect(r.readText("/var/log/flow/startup.log")).toContain("blkid /dev/vdb exited 8: not formatting");
    expect(readProbe(r)).toBeUndefined();
  });

  test("found through the device hint when the by-id link is missing", async () => {
    const r = await run([block({ devicePath: "/dev/vdc" })], { files: { "/dev/vdc": "" }, filesystems: { "/dev/vdc": ["xfs", "2222"] } });
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("mount")).toEqual([["/dev/vdc", "/data"]]);
  });

  test("whose device never appears fails step volumes after a bounded wait", async () => {
    const r = await run([block({ waitSeconds: 12 })]);
    expect(r.exitCode).toBe(1);
    expect(r.callsOf("sleep")).toEqual([["5"], ["5"], ["5"]]);
    expect(status(r)).toMatchObject({ status: "failed", step: "volumes", exit_code: 1 });
    expect(r.readText("/var/log/flow/startup.log")).toContain(`no device for /data after 12 s (looked for ${BY_ID})`);
  });

  test("already mounted is left alone, and an existing fstab entry is not duplicated", async () => {
    const r = await run([block()], {
      files: { "/dev/vdb": "" },
      symlinks: { [BY_ID]: "../../vdb" },
      filesystems: { "/dev/vdb": ["ext4", "3333"] },
      mounted: ["/data"],
      fstab: "UUID=3333 /data auto defaults,nofail 0 2\n",
    });
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("mount")).toEqual([]);
    expect(fstab(r)).toEqual(["UUID=3333 /data auto defaults,nofail 0 2"]);
  });

  test("several volumes mount parents first, and the task sees them", async () => {
    const r = await run(
      [
        { interface: "block", volumeId: "vol_inner", mountPath: "/data/cache" },
        block(),
      ],
      {
        files: { "/dev/vdb": "", "/dev/vdc": "" },
        symlinks: { [BY_ID]: "../../vdb", "/dev/disk/by-id/virtio-vol_inner": "../../vdc" },
        filesystems: { "/dev/vdb": ["ext4", "a"], "/dev/vdc": ["ext4", "b"] },
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("mount")).toEqual([["/dev/vdb", "/data"], ["/dev/vdc", "/data/cache"]]);
    expect(readProbe(r)?.cwd).toBe("/workspace");
  });
});

describe("a file volume", () => {
  test("is mounted as virtiofs by its id, never probed or formatted, with a nofail fstab entry", async () => {
    const r = await run([{ interface: "file", volumeId: "vol_share", mountPath: "/shared" }]);
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("mount")).toEqual([["-t", "virtiofs", "vol_share", "/shared"]]);
    expect(r.callsOf("blkid")).toEqual([]);
    expect(r.callsOf("mkfs.ext4")).toEqual([]);
    expect(fstab(r)).toEqual(["vol_share /shared virtiofs defaults,nofail 0 0"]);
  });

  test("is retried until the share answers", async () => {
    const r = await run([{ interface: "file", volumeId: "vol_share", mountPath: "/shared", source: "10.0.0.5:/export", fsType: "nfs4" }], {
      exitCodes: { mount: [32, 32, 0] },
    });
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("mount")).toHaveLength(3);
    expect(r.callsOf("mount")[2]).toEqual(["-t", "nfs4", "10.0.0.5:/export", "/shared"]);
    expect(r.callsOf("sleep")).toEqual([["5"], ["5"]]);
  });

  test("that never mounts fails step volumes after its bounded wait", async () => {
    const r = await run([{ interface: "file", volumeId: "vol_share", mountPath: "/shared", waitSeconds: 0 }], { exitCodes: { mount: [32] } });
    expect(r.exitCode).toBe(1);
    expect(r.callsOf("mount")).toHaveLength(1);
    expect(status(r)).toMatchObject({ status: "failed", step: "volumes" });
  });
});
