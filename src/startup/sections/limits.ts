// maxRunTimeHours, enforced by the instance itself: a systemd timer, or `shutdown +minutes` where
// systemd-run is unavailable. Armed while the task runs, so it also covers a hung task.
import type { StartupSection } from "./section";

export const limitsSection: StartupSection = {
  name: "limits",
  render(spec) {
    if (spec.maxRunTimeHours === undefined) return undefined;
    const seconds = Math.max(1, Math.round(spec.maxRunTimeHours * 3600));
    const minutes = Math.ceil(seconds / 60);
    return [
      "step limits",
      `systemd-run --quiet --unit=flow-deadline --on-active=${seconds}s /sbin/shutdown -h now || shutdown -h +${minutes}`,
      `echo "this instance powers off ${spec.maxRunTimeHours} h from now (maxRunTimeHours)"`,
    ].join("\n");
  },
};
