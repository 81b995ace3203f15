// SLURM's time formats (`--time`): minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; "infinite".

/** Hours, or undefined for no limit; throws on anything else. */
export function parseSlurmTimeHours(value: string): number | undefined {
  const v = value.trim();
  if (/^(infinite|unlimited)$/i.test(v)) return undefined;
  let days = 0;
  let rest = v;
  const d = /^(\d+)-(.+)$/.exec(v);
  if (d) {
    days = Number(d[1]);
    rest = d[2];
  }
  if (!/^\d+(:\d+){0,2}$/.test(rest)) throw new Error(`"${value}" is not a SLURM time (minutes, HH:MM:SS or D-HH:MM:SS)`);
  const parts = rest.split(":").map(Number);
  let seconds: number;
  if (d) {
    // With days: D-HH, D-HH:MM, D-HH:MM:SS.
    const [h, m = 0, s = 0] = parts;
    seconds = h * 3600 + m * 60 + s;
  } else if (parts.length === 1) seconds = parts[0] * 60;
  else if (parts.length === 2) seconds = parts[0] * 60 + parts[1];
  else seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
  const hours = days * 24 + seconds / 3600;
  return Math.round(hours * 1000) / 1000;
}
