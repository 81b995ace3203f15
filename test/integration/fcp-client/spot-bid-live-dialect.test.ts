// The SpotBid provider on the mithril dialect, over real HTTP to the live stand-in: the project's
// required SSH keys join the bid and show in `requiredSshKeys`, and a bid that stays `Allocated`
// (the live service has no "running" bid status) is ready once all its instances run.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeSharedFcpClients } from "../../../src/fcp-client/client-registry";
import { check, create, read, remove } from "../../../src/provider/spot-bid-provider";
import { loadLiveOpenApi } from "../../fixtures/live-openapi";
import { type OpenApiValidator, openApiValidator } from "../../fixtures/openapi-validator";
import { type LiveStandIn, startLiveStandIn } from "./live-service-stand-in";

/** Resolves when `condition` holds; polls on timers, with a generous deadline. */
async function eventually(condition: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  const stopAt = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > stopAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("SpotBid on the mithril dialect", () => {
  let validator: OpenApiValidator;
  let live: LiveStandIn;
  const savedEnv = { ...process.env };

  beforeAll(() => {
    validator = openApiValidator(loadLiveOpenApi());
  });
  beforeEach(async () => {
    live = await startLiveStandIn(validator);
    process.env = {
      ...savedEnv,
      HOME: mkdtempSync(join(tmpdir(), "fcp-live-home-")),
      FCP_API_URL: live.url,
      FCP_API_KEY: "fkey_provider_0123456789",
      FCP_PROJECT: "my-project",
      FCP_REGION: "us-central1-a",
      FCP_DIALECT: "mithril",
      FCP_POLL_INTERVAL_MS: "50",
    };
  });
  afterEach(async () => {
    process.env = { ...savedEnv };
    await closeSharedFcpClients();
    await live.close();
  });

  const bidPosts = () => live.exchanges.filter((x) => x.request.method === "POST" && x.request.path === "/v2/spot/bids" && x.status === 201);

  it("creates with the required key, waits through STATUS_STARTING, and is ready when Allocated with every instance running", async () => {
    const admin = live.addRequiredKey("admin");
    const checked = await check({}, { resourceName: "trainer", instanceType: "a100", limitPrice: 2, instanceQuantity: 2, sshKeyIds: [] });
    expect(checked.failures ?? []).toEqual([]);
    let done = false;
    const creating = create(checked.inputs).finally(() => {
      done = true;
    });
    await eventually(() => bidPosts().length === 1, "the bid POST");
    const fid = (bidPosts()[0].body as { fid: string }).fid;

    live.setBidStatus(fid, "Allocated", "STATUS_STARTING");
    const seen = live.exchanges.length;
    // Two instance listings after the flip: the provider looked at starting instances and went on waiting.
    await eventually(() => live.exchanges.slice(seen).filter((x) => x.request.path === "/v2/instances").length >= 2, "polls of starting instances");
    expect(done).toBe(false);

    live.setBidStatus(fid, "Allocated", "STATUS_RUNNING");
    const result = await creating;
    expect(result.id).toBe(fid);
    expect(result.outs).toMatchObject({
      bidId: fid,
      status: "allocated",
      requiredSshKeys: [admin],
      sshHosts: ["203.0.113.10:22", "203.0.113.11:22"],
    });
    const sent = bidPosts()[0].request.body as { launch_specification: { ssh_keys: string[] } };
    expect(sent.launch_specification.ssh_keys).toEqual([admin]);

    const refreshed = await read(fid, result.outs as Record<string, unknown>);
    expect(refreshed.props).toMatchObject({ requiredSshKeys: [admin], status: "allocated" });

    await remove(fid, result.outs as Record<string, unknown>);
    expect(live.exchanges.flatMap((x) => validator.requestProblems(x.request, { strictQuery: true }))).toEqual([]);
  });

  it("without required keys the output is an empty list", async () => {
    const checked = await check({}, { resourceName: "plain", instanceType: "a100", limitPrice: 2, waitFor: "none" });
    const result = await create(checked.inputs);
    expect(result.outs).toMatchObject({ requiredSshKeys: [], status: "pending" });
  });
});
