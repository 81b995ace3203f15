// ClusterBootstrap's check and diff make no SSH connection: they decide from the bid and instance
// ids and what is delivered. Host-key pins follow the instances.
import { UNKNOWN } from "../../../src/provider/check-failures";
import { check, diff } from "../../../src/provider/cluster-bootstrap-provider";
import { rankOrder } from "../../../src/provider/cluster-bootstrap-inputs";
import { hostKeyRule, pinsOf, updatedPins } from "../../../src/provider/cluster-bootstrap-host-keys";

const inst = (id: string, ip = "10.0.0.1") => ({ id, status: "running", sshHost: ip, sshPort: 22, privateIp: ip });
const olds = {
  bidId: "bid_a",
  instances: [inst("inst_b"), inst("inst_a")],
  privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n",
  username: "ubuntu",
  numNodes: 2,
  masterPort: 29500,
  cluster: true,
  secretEnv: { HF_TOKEN: "v1" },
  timeoutSeconds: 600,
  hostKeys: { inst_a: "SHA256:a", inst_b: "SHA256:b" },
  nodes: [],
};

describe("diff", () => {
  test("the same bid and instances (in any order) and the same deliveries: no change", async () => {
    expect(await diff("x", olds, { ...olds, instances: [inst("inst_a"), inst("inst_b")] })).toMatchObject({ changes: false, replaces: [] });
  });

  test("new instance ids (a re-allocated bid) replace the bootstrap: it runs again", async () => {
    expect(await diff("x", olds, { ...olds, instances: [inst("inst_a"), inst("inst_c")] })).toMatchObject({ changes: true, replaces: ["instances"] });
  });

  test("a new bid replaces it; an unknown bid id too (a preview of a bid replacement)", async () => {
    expect((await diff("x", olds, { ...olds, bidId: "bid_b" })).replaces).toContain("bidId");
    expect((await diff("x", olds, { ...olds, bidId: UNKNOWN, instances: UNKNOWN })).replaces).toEqual(["bidId", "instances"]);
  });

  test("unknown instances of the same bid (a preview of its price change) are no change", async () => {
    expect(await diff("x", olds, { ...olds, instances: UNKNOWN })).toMatchObject({ changes: false, replaces: [] });
  });

  test("the code is compared by its digest, not the directory it was packaged from", async () => {
    const code = { dir: "/a", sha256: "a".repeat(64), bytes: 10 };
    expect(await diff("x", { ...olds, code }, { ...olds, code: { ...code, dir: "/b" } })).toMatchObject({ changes: false });
    expect(await diff("x", { ...olds, code }, { ...olds, code: { ...code, sha256: "b".repeat(64) } })).toMatchObject({ changes: true, replaces: [] });
  });

  test("a new secret value or port is an update in place, delivered again", async () => {
    expect(await diff("x", olds, { ...olds, secretEnv: { HF_TOKEN: "v2" } })).toMatchObject({ changes: true, replaces: [] });
    expect(await diff("x", olds, { ...olds, masterPort: 1234 })).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("check", () => {
  test("reports a key that is not a private key, by property", async () => {
    const result = await check({}, { ...olds, privateKey: "ssh-ed25519 AAAA" });
    expect(result.failures).toEqual([{ property: "privateKey", reason: "must be an OpenSSH private key" }]);
  });

  test("passes unknown values of a preview through", async () => {
    expect((await check({}, { ...olds, bidId: UNKNOWN, instances: UNKNOWN })).failures).toBeUndefined();
  });
});

describe("ranks and pins", () => {
  test("ranks follow instance ids; terminated instances are left out", () => {
    expect(rankOrder([inst("inst_c"), { ...inst("inst_0"), status: "terminated" }, inst("inst_a")]).map((i) => i.id)).toEqual(["inst_a", "inst_c"]);
  });

  test("a pin is kept for the same instance, new instances are trusted on first use, gone ones are dropped", () => {
    expect(hostKeyRule({ inst_a: "SHA256:a" }, "inst_a")).toEqual({ expected: "SHA256:a" });
    expect(hostKeyRule({ inst_a: "SHA256:a" }, "inst_z")).toEqual({ expected: undefined });
    expect(updatedPins({ inst_a: "SHA256:a", inst_gone: "SHA256:g" }, { inst_a: "SHA256:other", inst_new: "SHA256:n" }, ["inst_a", "inst_new"])).toEqual({
      inst_a: "SHA256:a",
      inst_new: "SHA256:n",
    });
    expect(pinsOf(["x"])).toEqual({});
    expect(pinsOf({ a: "SHA256:a", b: 3 })).toEqual({ a: "SHA256:a" });
  });
});

test("check accepts null code and secretEnv (Outputs that resolved to nothing)", async () => {
  expect((await check({}, { ...olds, code: null, secretEnv: null })).failures).toBeUndefined();
});
