// A stand-in for the live Mithril API, written from its OpenAPI description only: it refuses any
// request the description refuses with FastAPI's 422 `{"detail":[{loc,msg,type}]}`, and answers
// the rest with bodies of the documented shapes (which the test validates too). It exists until
// the emulator serves `--dialect mithril`; it is not a copy of our emulator.
import type { ServerResponse } from "node:http";
import { type RecordedRequest, type ScriptedServer, json, startScriptedServer } from "../../unit/fcp-client/scripted-server";
import type { OpenApiValidator, Operation } from "../../fixtures/openapi-validator";

export interface Exchange {
  request: RecordedRequest;
  operation?: Operation;
  status: number;
  body: unknown;
}

export interface LiveStandIn {
  url: string;
  exchanges: Exchange[];
  /** Marks an SSH key required, as a project admin would in the console. */
  addRequiredKey(name: string): string;
  setBidStatus(fid: string, status: string, instanceStatus?: string): void;
  close(): Promise<void>;
}

const NOW = "2026-12-03T00:00:00Z";
const PROJECT = { fid: "proj_live0001", name: "my-project", created_at: NOW };
const INSTANCE_TYPE = {
  fid: "it_MsIRhxj3ccyVWGfP",
  name: "a100-80gb.sxm.1x",
  num_cpus: 30,
  cpu_type: "Intel",
  ram_gb: 240,
  num_gpus: 1,
  gpu_type: "A100",
  gpu_memory_gb: 80,
  gpu_socket: "SXM4",
  local_storage_gb: 1000,
  ib_count: 0,
  bridge_count: 0,
  hourly_price: 1.5,
};

export async function startLiveStandIn(validator: OpenApiValidator): Promise<LiveStandIn> {
  let n = 0;
  const id = (prefix: string) => `${prefix}_${String(++n).padStart(8, "0")}`;
  const keys: Array<Record<string, unknown>> = [];
  const volumes: Array<Record<string, unknown>> = [];
  const bids: Array<Record<string, unknown>> = [];
  const instances: Array<Record<string, unknown>> = [];
  const exchanges: Exchange[] = [];

  function answer(res: ServerResponse, req: RecordedRequest, operation: Operation | undefined, status: number, body?: unknown) {
    exchanges.push({ request: req, operation, status, body });
    if (body === undefined) {
      res.writeHead(status);
      res.end();
    } else json(res, status, body);
  }

  const publicKey = (k: Record<string, unknown>) => {
    const { private_key: _hidden, ...rest } = k;
    return rest;
  };

  function handle(req: RecordedRequest, res: ServerResponse) {
    const op = validator.operationOf(req.method, req.path);
    if (!op) return answer(res, req, undefined, 404, { detail: "Not Found" });
    const detail = validator.fastApiErrors(req);
    if (detail.length) return answer(res, req, op, 422, { detail });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fidInPath = req.path.split("/").pop() ?? "";
    const route = `${op.method} ${op.template}`;
    switch (route) {
      case "GET /v2/projects":
        return answer(res, req, op, 200, [PROJECT]);
      case "GET /v2/me":
        return answer(res, req, op, 200, { id: "u1", fid: "user_live0001", email: "dev@example.com", organization_id: "org_1" });
      case "GET /v2/instance-types":
        return answer(res, req, op, 200, [INSTANCE_TYPE]);
      case "GET /v2/spot/availability":
        return answer(res, req, op, 200, [
          { fid: "auc_1", instance_type: INSTANCE_TYPE.fid, region: "us-central1-a", capacity: 8, last_instance_price: "$1.20", adjustable_memory: false },
        ]);
      case "POST /v2/ssh-keys": {
        const generated = body.public_key === undefined || body.public_key === null;
        const key = {
          fid: id("sshkey"),
          name: body.name,
          project: body.project,
          public_key: generated ? "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC generated" : body.public_key,
          created_at: NOW,
          required: body.required === true,
        };
        keys.push(key);
        return answer(res, req, op, 201, generated ? { ...key, private_key: "-----BEGIN RSA PRIVATE KEY-----\nstand-in\n-----END RSA PRIVATE KEY-----" } : key);
      }
      case "GET /v2/ssh-keys":
        return answer(res, req, op, 200, keys.filter((k) => k.project === req.query.get("project")).map(publicKey));
      case "PATCH /v2/ssh-keys/{ssh_key_fid}": {
        const key = keys.find((k) => k.fid === fidInPath);
        if (!key) return answer(res, req, op, 404, { detail: "SSH key not found" });
        key.required = body.required;
        return answer(res, req, op, 200, key);
      }
      case "DELETE /v2/ssh-keys/{ssh_key_fid}":
      case "DELETE /v2/volumes/{volume_fid}": {
        const list = route.includes("ssh-keys") ? keys : volumes;
        const i = list.findIndex((x) => x.fid === fidInPath);
        if (i < 0) return answer(res, req, op, 404, { detail: "Not found" });
        list.splice(i, 1);
        return answer(res, req, op, 204);
      }
      case "POST /v2/volumes": {
        const vol = {
          fid: id("vol"),
          name: body.name,
          region: body.region,
          created_at: NOW,
          deleted_at: null,
          capacity_gb: body.size_gb,
          project: body.project,
          interface: body.disk_interface,
          bids: [],
          reservations: [],
          attachments: {},
        };
        volumes.push(vol);
        return answer(res, req, op, 201, vol);
      }
      case "GET /v2/volumes":
        return answer(res, req, op, 200, volumes.filter((v) => v.project === req.query.get("project")));
      case "POST /v2/spot/bids": {
        const launch = body.launch_specification as Record<string, unknown>;
        const bid = {
          fid: id("bid"),
          name: body.name,
          project: body.project,
          created_by: "user_live0001",
          created_at: NOW,
          deactivated_at: null,
          limit_price: body.limit_price,
          instance_quantity: body.instance_quantity,
          instance_type: body.instance_type,
          region: body.region,
          instances: [] as string[],
          launch_specification: { ...launch, startup_script: launch.startup_script ?? null },
          status: "Open",
        };
        bids.push(bid);
        return answer(res, req, op, 201, bid);
      }
      case "GET /v2/spot/bids": {
        const status = req.query.get("status");
        const data = bids.filter((b) => b.project === (req.query.get("project") ?? b.project) && (!status || b.status === status));
        return answer(res, req, op, 200, { data, next_cursor: null });
      }
      case "GET /v2/spot/bids/{bid_fid}": {
        const bid = bids.find((b) => b.fid === fidInPath);
        return bid ? answer(res, req, op, 200, bid) : answer(res, req, op, 404, { detail: "Bid not found" });
      }
      case "PATCH /v2/spot/bids/{bid_fid}": {
        const bid = bids.find((b) => b.fid === fidInPath);
        if (!bid) return answer(res, req, op, 404, { detail: "Bid not found" });
        if (typeof body.limit_price === "string") bid.limit_price = body.limit_price;
        if (typeof body.paused === "boolean") bid.status = body.paused ? "Paused" : "Open";
        if (Array.isArray(body.volumes)) bid.launch_specification = { ...(bid.launch_specification as object), volumes: body.volumes };
        return answer(res, req, op, 200, bid);
      }
      case "DELETE /v2/spot/bids/{bid_fid}": {
        const bid = bids.find((b) => b.fid === fidInPath);
        if (!bid) return answer(res, req, op, 404, { detail: "Bid not found" });
        bid.status = "Terminated";
        bid.deactivated_at = NOW;
        for (const i of instances) if (i.bid === bid.fid) i.status = "STATUS_TERMINATED";
        return answer(res, req, op, 204);
      }
      case "GET /v2/instances": {
        const bidsIn = req.query.get("bid_fid_in")?.split(",");
        const statusIn = req.query.get("status_in")?.split(",");
        const data = instances.filter(
          (i) => i.project === req.query.get("project") && (!bidsIn || bidsIn.includes(String(i.bid))) && (!statusIn || statusIn.includes(String(i.status))),
        );
        return answer(res, req, op, 200, { data, next_cursor: null });
      }
      default:
        return answer(res, req, op, 501, { detail: `${route} is not modelled by the stand-in` });
    }
  }

  const server: ScriptedServer = await startScriptedServer(handle);
  return {
    url: server.url,
    exchanges,
    addRequiredKey(name) {
      const fid = id("sshkey");
      keys.push({ fid, name, project: PROJECT.fid, public_key: "ssh-ed25519 AAAAC3 admin@example", created_at: NOW, required: true });
      return fid;
    },
    setBidStatus(fid, status, instanceStatus = "STATUS_RUNNING") {
      const bid = bids.find((b) => b.fid === fid);
      if (!bid) throw new Error(`no bid ${fid}`);
      bid.status = status;
      if (status === "Allocated" && (bid.instances as string[]).length === 0) {
        for (let q = 0; q < Number(bid.instance_quantity); q++) {
          const inst = {
            fid: id("inst"),
            name: `${String(bid.name)}-${q}`,
            project: bid.project,
            created_at: NOW,
            created_by: "user_live0001",
            instance_type: bid.instance_type,
            region: bid.region,
            bid: bid.fid,
            ssh_destination: `203.0.113.${q + 10}:22`,
            private_ip: `10.0.0.${q + 10}`,
            status: instanceStatus,
          };
          instances.push(inst);
          (bid.instances as string[]).push(inst.fid);
        }
      }
      for (const i of instances) if (i.bid === fid) i.status = instanceStatus;
    },
    close: () => server.close(),
  };
}
