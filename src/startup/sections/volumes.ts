// Block volumes: wait for the device, format only when blkid finds nothing, mount, fstab nofail.
// File volumes: retry the mount until the share answers. Both waits are bounded.
import { shellWord, shellWords } from "../shell-quote";
import type { StartupSection } from "./section";

const POLL_SECONDS = 5;

// blkid -p exits 2 when it finds no signature at all; any other failure (4 usage, 8 ambiguous)
// means "unsure", and unsure never formats. mkfs keeps its own checks (no -F) and reads
// /dev/null, so a question it might ask is answered "no" instead of hanging the boot.
const MOUNT_BLOCK = [
  "mount_block(){ local p=$1 w=$2 d='' c t=0 r=0; shift 2",
  'while [ -z "$d" ]; do',
  'for c in "$@"; do if [ -e "$c" ]; then d=$(readlink -f "$c"); break; fi; done',
  `if [ -z "$d" ]; then if [ "$t" -ge "$w" ]; then echo "no device for $p after $w s (looked for $*)"; return 1; fi; sleep ${POLL_SECONDS}; t=$((t+${POLL_SECONDS})); fi`,
  "done",
  'blkid -p "$d" >/dev/null || r=$?',
  'if [ "$r" = 2 ]; then echo "no filesystem on $d: formatting"; mkfs.ext4 -q -m 0 "$d" </dev/null',
  'elif [ "$r" != 0 ]; then echo "blkid $d exited $r: not formatting"; return 1; fi',
  'mkdir -p "$p"; mountpoint -q "$p" || mount "$d" "$p"',
  'if ! grep -qs " $p " /etc/fstab; then echo "UUID=$(blkid -s UUID -o value "$d") $p auto defaults,nofail 0 2" >>/etc/fstab; fi; }',
].join("\n");

const MOUNT_FILE = [
  "mount_file(){ local s=$1 p=$2 f=$3 w=$4 t=0; mkdir -p \"$p\"",
  'until mountpoint -q "$p" || mount -t "$f" "$s" "$p"; do',
  `if [ "$t" -ge "$w" ]; then echo "could not mount $s at $p within $w s"; return 1; fi; sleep ${POLL_SECONDS}; t=$((t+${POLL_SECONDS})); done`,
  'if ! grep -qs " $p " /etc/fstab; then echo "$s $p $f defaults,nofail 0 0" >>/etc/fstab; fi; }',
].join("\n");

export const volumesSection: StartupSection = {
  name: "volumes",
  render(spec) {
    if (spec.volumes.length === 0) return undefined;
    const lines = ["step volumes"];
    const blocks = spec.volumes.filter((v) => v.interface === "block");
    const files = spec.volumes.filter((v) => v.interface === "file");
    if (blocks.length > 0) lines.push(MOUNT_BLOCK);
    if (files.length > 0) lines.push(MOUNT_FILE);
    for (const v of spec.volumes) {
      lines.push(
        v.interface === "block"
          ? `mount_block ${shellWords([v.mountPath, String(v.waitSeconds), ...v.devices])}`
          : `mount_file ${shellWords([v.source, v.mountPath, v.fsType, String(v.waitSeconds)])}`,
      );
    }
    return lines.join("\n");
  },
};

/** For the run section: `-v path:path` binds of every mounted volume. */
export function volumeBinds(paths: readonly string[]): string {
  return paths.map((p) => `-v ${shellWord(`${p}:${p}`)}`).join(" ");
}
