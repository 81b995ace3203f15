// The delivery part of a StartupSpec (what the cluster bootstrap brings over SSH) and the
// cluster.env it writes: rules, and what the script holds (names and digests, never values).
import { createHash } from "node:crypto";
import { buildStartupScript, checkStartupSpec, renderClusterEnv, type StartupSpec } from "../../../src/startup";

const sha = createHash("sha256").update("pkg").digest("hex");
const spec = (overrides: Partial<StartupSpec> = {}): StartupSpec => ({ taskName: "t", run: { command: ["python3", "x.py"], gpus: false }, ...overrides });

describe("delivery", () => {
  test("a delivered package: the script holds its sha256 and no payload; the delivery section comes before code", () => {
    const built = buildStartupScript(spec({ delivery: { codeSha256: sha } }));
    expect(built.script).toContain(`${sha}  $c`);
    expect(built.script).toContain("c=/var/lib/flow/code.tgz");
    expect(built.script).not.toContain("FLOW_EOF");
    expect(built.sections.map((s) => s.name)).toEqual(["header", "delivery", "code", "run", "completion"]);
  });

  test("secret env names are sourced in the task's subshell, and passed by name to docker", () => {
    const host = buildStartupScript(spec({ delivery: { secretEnvNames: ["HF_TOKEN"] } })).script;
    expect(host).toContain("set -a && . /var/lib/flow/secret.env && set +a && exec python3 x.py");
    const docker = buildStartupScript(spec({ delivery: { secretEnvNames: ["HF_TOKEN"] }, run: { image: "python:3.12" } })).script;
    expect(docker).toMatch(/\(set -a && \. \/var\/lib\/flow\/secret\.env && set \+a && exec docker run .* -e HF_TOKEN /);
  });

  test.each<[string, Partial<StartupSpec>, string]>([
    ["code and a delivered package", { code: { base64: "H4sIAAAAAAAAAwMAAAAAAAAAAAA=", sha256: createHash("sha256").update(Buffer.from("H4sIAAAAAAAAAwMAAAAAAAAAAAA=", "base64")).digest("hex") }, delivery: { codeSha256: sha } }, "delivery.codeSha256"],
    ["a bad name", { delivery: { secretEnvNames: ["1BAD"] } }, "delivery.secretEnvNames.0"],
    ["the API key's name", { delivery: { secretEnvNames: ["FCP_API_KEY"] } }, "delivery.secretEnvNames.0"],
    ["a name twice", { delivery: { secretEnvNames: ["A", "A"] } }, "delivery.secretEnvNames.1"],
    ["a name also in env", { env: { A: "1" }, delivery: { secretEnvNames: ["A"] } }, "delivery.secretEnvNames.0"],
    ["a sha256 that is not one", { delivery: { codeSha256: "abc" } }, "delivery.codeSha256"],
  ])("refuses %s", (_what, overrides, field) => {
    expect(checkStartupSpec(spec(overrides)).map((i) => i.field)).toContain(field);
  });
});

describe("renderClusterEnv", () => {
  test("writes the FLOW_ names and the torchrun/SkyPilot names, with the rendezvous port", () => {
    expect(renderClusterEnv({ nodeRank: 2, numNodes: 3, mainIp: "10.0.0.1", nodeIps: ["10.0.0.1", "10.0.0.2", "10.0.0.3"], masterPort: 1234 })).toBe(
      [
        "FLOW_NODE_RANK=2",
        "FLOW_NUM_NODES=3",
        "FLOW_MAIN_IP=10.0.0.1",
        "FLOW_NODE_IPS=10.0.0.1,10.0.0.2,10.0.0.3",
        "MASTER_ADDR=10.0.0.1",
        "MASTER_PORT=1234",
        "NODE_RANK=2",
        "NODE_IPS=10.0.0.1,10.0.0.2,10.0.0.3",
        "",
      ].join("\n"),
    );
  });

  test("defaults MASTER_PORT to 29500 and refuses a port that is not one", () => {
    expect(renderClusterEnv({ nodeRank: 0, numNodes: 1, mainIp: "10.0.0.1", nodeIps: ["10.0.0.1"] })).toContain("MASTER_PORT=29500\n");
    expect(() => renderClusterEnv({ nodeRank: 0, numNodes: 1, mainIp: "10.0.0.1", nodeIps: ["10.0.0.1"], masterPort: 70_000 })).toThrow(/masterPort must be a TCP port, got 70000/);
  });
});
