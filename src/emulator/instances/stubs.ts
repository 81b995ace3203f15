// Programs first on an emulated instance's PATH for what this machine lacks: GPUs, disks, docker,
// systemd. Volumes are directories the host keeps per volume (bound at /.volumes/<fid>); `mount`
// binds them where the startup script asks, so data outlives the bid. A poweroff is a request the
// emulator reads from /var/lib/fcp-instance/poweroff (seconds from now, in emulator time).

/** Sandbox directory where the emulator and the instance exchange files. */
export const INSTANCE_META_DIR = "/var/lib/fcp-instance";
/** Sandbox directory holding one directory per attached volume. */
export const VOLUMES_DIR = "/.volumes";

export interface GpuSpec {
  count: number;
  model: string;
  memoryGb: number;
}

const COMMON = `#!/bin/bash
# fcp-emulator stub: ${"$"}{0##*/}
set -u
META=${INSTANCE_META_DIR}
VOLS=${VOLUMES_DIR}
# A device or virtiofs tag to the volume it stands for: /dev/fcp-vol-<fid> or the fid itself.
volume_of(){ local s=\${1##*/}; s=\${s#fcp-vol-}; for v in "$VOLS"/*; do [ -d "$v" ] || continue; local f=\${v##*/}; if [ "$f" = "$s" ] || [ "\${f:0:20}" = "$s" ]; then echo "$v"; return 0; fi; done; return 1; }
`;

function nvidiaSmi(gpu: GpuSpec): string {
  const lines: string[] = [];
  for (let i = 0; i < gpu.count; i++) lines.push(`GPU ${i}: ${gpu.model} ${gpu.memoryGb}GB (UUID: GPU-emulated-${String(i).padStart(4, "0")})`);
  const csv = Array.from({ length: gpu.count }, (_, i) => `${i}, ${gpu.model} ${gpu.memoryGb}GB, ${gpu.memoryGb * 1024} MiB`);
  return `${COMMON}
case " $* " in
*" -L "*) cat <<'EOF'
${lines.join("\n")}
EOF
;;
*--query-gpu*) printf '%s\\n' ${csv.map((l) => `'${l}'`).join(" ")};;
*) echo "NVIDIA-SMI (fcp-emulator) | Driver Version: emulated | CUDA Version: 12.4"; cat <<'EOF'
${lines.join("\n")}
EOF
;;
esac
`;
}

// docker run runs CMD in the instance itself with only the environment docker would give it;
// non-identity -v binds are made in a private mount namespace of their own, like a container's.
const DOCKER = `${COMMON}
case \${1:-} in
pull|login|logout|rm|stop|kill) exit 0;;
images|ps) exit 0;;
version|--version) echo "Docker version 24.0.0-fcp-emulator"; exit 0;;
run) shift
envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root); wd=/; binds=()
while [ $# -gt 0 ]; do case $1 in
-e|--env) if [[ $2 == *=* ]]; then envs+=("$2"); elif [ -n "\${!2+x}" ]; then envs+=("$2=\${!2}"); fi; shift 2;;
--env=*) envs+=("\${1#--env=}"); shift;;
-w|--workdir) wd=$2; shift 2;;
-v|--volume) binds+=("$2"); shift 2;;
--name|--gpus|--network|--ipc|--shm-size|--ulimit|--user|-u|--entrypoint|--env-file|-p|--publish) shift 2;;
--rm|-d|--detach|-i|-t|-it|--privileged|--init) shift;;
--*=*) shift;;
-*) echo "fcp-emulator docker: unknown option $1" >&2; exit 125;;
*) break;;
esac; done
[ $# -gt 0 ] || { echo "docker run: no image" >&2; exit 125; }
shift
[ $# -gt 0 ] || set -- true
mounts=""
for b in "\${binds[@]+"\${binds[@]}"}"; do src=\${b%%:*}; rest=\${b#*:}; dst=\${rest%%:*}
  [ "$src" = "$dst" ] && continue
  mounts+="mkdir -p '$dst' && mount --bind '$src' '$dst' && "
done
if [ -n "$mounts" ]; then
  exec unshare --mount --propagation private /bin/bash -c "$mounts"'mkdir -p "$0" && cd "$0" && exec /usr/bin/env -i "$@"' "$wd" "\${envs[@]}" "$@"
fi
mkdir -p "$wd"; cd "$wd" || exit 125
exec /usr/bin/env -i "\${envs[@]}" "$@";;
*) echo "fcp-emulator docker: only run and pull are emulated" >&2; exit 0;;
esac
`;

// mount DEV|TAG DIR binds the volume's directory; anything else is the real mount.
const MOUNT = `${COMMON}
args=("$@"); t=\${args[-1]:-}; s=\${args[-2]:-}
if [ $# -ge 2 ] && v=$(volume_of "$s"); then mkdir -p "$t"; exec /usr/bin/mount --bind "$v/data" "$t"; fi
exec /usr/bin/mount "$@"
`;

const UMOUNT = `${COMMON}
exec /usr/bin/umount "$@"
`;

// The filesystem marker lives beside the data, so a formatted volume stays formatted across bids.
const MKFS = `${COMMON}
d=\${*: -1}; v=$(volume_of "$d") || { echo "mkfs: $d is not a volume of this instance" >&2; exit 1; }
printf 'ext4 %s\\n' "$(cat /proc/sys/kernel/random/uuid)" >"$v/filesystem"
`;

const BLKID = `${COMMON}
d=\${*: -1}; v=$(volume_of "$d") || exit 2
[ -f "$v/filesystem" ] || exit 2
read -r t u <"$v/filesystem"
if [ "\${1:-}" = -s ]; then echo "$u"; else echo "$d: UUID=\\"$u\\" TYPE=\\"$t\\" USAGE=\\"filesystem\\""; fi
`;

// shutdown [-h|-P|-r] [now|+M|hh:mm]; systemd-run --on-active=Ns CMD; poweroff/halt.
const SHUTDOWN = `${COMMON}
when=now
for a in "$@"; do case $a in now) when=0;; +*) when=$(( \${a#+} * 60 ));; -c) rm -f "$META/poweroff"; exit 0;; esac; done
[ "$when" = now ] && when=0
echo "$when" >"$META/poweroff.tmp" && mv -f "$META/poweroff.tmp" "$META/poweroff"
echo "The system will power off in $when s (fcp-emulator)"
[ "$when" != 0 ] || exec sleep infinity
`;

const POWEROFF = `${COMMON}
echo 0 >"$META/poweroff.tmp" && mv -f "$META/poweroff.tmp" "$META/poweroff"; exec sleep infinity
`;

const SYSTEMD_RUN = `${COMMON}
secs=""
for a in "$@"; do case $a in --on-active=*) v=\${a#--on-active=}; v=\${v%s}; secs=$v;; esac; done
if [ -n "$secs" ]; then
  case " $* " in *shutdown*|*poweroff*|*halt*) echo "$secs" >"$META/poweroff.tmp" && mv -f "$META/poweroff.tmp" "$META/poweroff"; exit 0;; esac
  echo "fcp-emulator systemd-run: only timed poweroffs are emulated" >&2; exit 1
fi
while [ $# -gt 0 ] && [[ $1 == -* ]]; do shift; done
exec "$@"
`;

// Passwordless sudo, as on FCP images: sessions already run as root inside the sandbox.
const SUDO = `#!/bin/bash
while [ $# -gt 0 ]; do case $1 in -u|-g|-C|-h|-p) shift 2;; --) shift; break;; -*) shift;; *) break;; esac; done
[ $# -gt 0 ] || exit 0
exec "$@"
`;

/** The stubs of an instance: file name in /stubs → content. */
export function instanceStubs(gpu: GpuSpec): Record<string, string> {
  return {
    "nvidia-smi": nvidiaSmi(gpu),
    docker: DOCKER,
    mount: MOUNT,
    umount: UMOUNT,
    mkfs: MKFS,
    "mkfs.ext4": MKFS,
    "mkfs.xfs": MKFS,
    blkid: BLKID,
    shutdown: SHUTDOWN,
    poweroff: POWEROFF,
    halt: POWEROFF,
    "systemd-run": SYSTEMD_RUN,
    sudo: SUDO,
  };
}
