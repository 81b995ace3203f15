import type * as pulumi from "@pulumi/pulumi";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeSharedFcpClients } from "../../../src/fcp-client/client-registry";
import { configure, connectionFor } from "../../../src/provider/settings";

const request = (values: Record<string, string>) => ({ config: { get: (k: string) => values[k] } }) as unknown as pulumi.dynamic.ConfigureRequest;

describe("the dialect in the provider's settings", () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env = { ...saved, HOME: mkdtempSync(join(tmpdir(), "fcp-settings-")), FCP_API_KEY: "fcp-settings-key-0000", FCP_PROJECT: "my-project" };
    delete process.env.FCP_DIALECT;
    delete process.env.FLOW_DIALECT;
  });
  afterEach(async () => {
    process.env = { ...saved };
    await configure(request({}));
    await closeSharedFcpClients();
  });

  it("is auto unless set", async () => {
    await configure(request({}));
    expect(connectionFor({}).client.dialectSetting).toBe("auto");
  });

  it("takes `fcp:dialect` from the stack config over FCP_DIALECT", async () => {
    process.env.FCP_DIALECT = "seed";
    expect(connectionFor({}).client.dialectSetting).toBe("seed");
    await configure(request({ "fcp:dialect": "mithril" }));
    expect(connectionFor({}).client.dialectSetting).toBe("mithril");
  });

  it("refuses a misspelt dialect with the choices", async () => {
    await configure(request({ "fcp:dialect": "live" }));
    expect(() => connectionFor({})).toThrow(/stack config fcp:dialect is "live".*auto, seed or mithril/);
  });
});
