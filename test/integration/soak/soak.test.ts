// Issue 12: the soak, small and seeded, as a regression test. The same run as `npm run soak`
// (the emulator CLI in a child process with --state, faults of every kind at 20%, kill -9 and
// restart mid-run, client and several LocalEngines), with every count of the table at 0.
import { formatReport, runSoak } from "../../../scripts/soak/run-soak";
import { requireBuiltCli } from "../emulator/cli-process";

jest.setTimeout(600_000);

test("a small seeded soak: no duplicate, orphan, tracked-but-missing, lost write or failed destroy", async () => {
  requireBuiltCli();
  const lines: string[] = [];
  const report = await runSoak({ bids: 40, volumes: 4, keys: 4, rate: 0.2, seed: 20261203, engines: 2, bidsPerEngine: 3, attempts: 5, log: (l) => lines.push(l) });
  const table = formatReport(report);
  expect({ verdict: report.verdict, table }).toEqual({
    verdict: { duplicates: 0, orphans: 0, trackedButMissing: 0, lostAcknowledgedWrites: 0, failedDestroys: 0 },
    table,
  });
  // The run did what it says: every fault kind fired, the emulator was killed and restarted, and
  // everything asked for was acknowledged (40 + 2 × 3 bids, 4 + 2 volumes, 4 + 2 keys).
  for (const kind of ["errors", "rateLimit", "drop", "failAfterWrite"]) expect([kind, (report.faults[kind] ?? 0) > 0]).toEqual([kind, true]);
  expect(report.kills).toBe(4);
  expect(report.created).toEqual({ bid: 46, volume: 6, key: 6 });
  expect(lines.filter((l) => l.startsWith("kill -9"))).toHaveLength(4);
});
