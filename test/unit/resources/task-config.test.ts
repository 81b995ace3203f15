import { ValidationError } from "../../../src/fcp-api/errors";
import {
  DEFAULT_WORKING_DIR,
  isExistingVolume,
  parseTaskConfig,
  taskConfigSchema,
  validateTaskConfig,
  type TaskConfigInput,
} from "../../../src/resources/task-config";

type Raw = Record<string, unknown>;

/** A valid config; each test changes one thing. */
function base(overrides: Raw = {}): Raw {
  return { name: "gpu-training", instanceType: "a100", command: ["python", "train.py"], maxPricePerHour: 10, ...overrides };
}

function without(obj: Raw, ...keys: string[]): Raw {
  const copy = { ...obj };
  for (const k of keys) delete copy[k];
  return copy;
}

function errorsOf(input: unknown) {
  const result = validateTaskConfig(input);
  expect(result.config).toBeUndefined();
  return result;
}

/** Expects exactly one problem, at `field`, whose message matches `message`. */
function expectOneError(input: unknown, field: string, message: RegExp) {
  const { errors, suggestions } = errorsOf(input);
  expect(errors.map((e) => `${e.field}: ${e.message}`)).toEqual([expect.stringMatching(message)]);
  expect(errors[0].field).toBe(field);
  return { error: errors[0], suggestions };
}

function thrown(input: unknown): ValidationError {
  try {
    parseTaskConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error("parseTaskConfig did not throw");
}

describe("parseTaskConfig: valid configs", () => {
  it("fills every default", () => {
    expect(parseTaskConfig(base())).toEqual({
      name: "gpu-training",
      instanceType: "a100",
      entrypoint: { kind: "argv", argv: ["python", "train.py"] },
      env: {},
      volumes: [],
      numInstances: 1,
      workingDir: DEFAULT_WORKING_DIR,
      uploadCode: true,
      priority: 50,
      maxPricePerHour: "$10.00",
      maxPricePerHourCents: 1000,
    });
  });

  const full = {
    name: "llm-pretrain_2",
    instanceType: "8xh100",
    shell: "torchrun --nnodes=$FLOW_NUM_NODES train.py",
    image: "nvidia/cuda:12.1.0-runtime-ubuntu22.04",
    env: { WANDB_PROJECT: "llm", EPOCHS: 10, USE_AMP: true },
    sshKeys: ["ssh-key_abc123"],
    volumes: [
      { sizeGb: 500, mountPath: "/data/", name: "shared-data", interface: "file" },
      { volumeId: "vol_abc123", mountPath: "/checkpoints" },
    ],
    maxPricePerHour: "$25.5",
    maxRunTimeHours: 24,
    numInstances: 2,
    region: "us-central1-b",
    workingDir: "/workspace/project/",
    uploadCode: true,
    codeDir: "./src",
    priority: 80,
  };
  const expected = {
    name: "llm-pretrain_2",
    instanceType: "8xh100",
    entrypoint: { kind: "shell", commandLine: "torchrun --nnodes=$FLOW_NUM_NODES train.py" },
    image: "nvidia/cuda:12.1.0-runtime-ubuntu22.04",
    env: { WANDB_PROJECT: "llm", EPOCHS: "10", USE_AMP: "true" },
    sshKeys: ["ssh-key_abc123"],
    volumes: [
      { sizeGb: 500, mountPath: "/data", name: "shared-data", interface: "file" },
      { volumeId: "vol_abc123", mountPath: "/checkpoints" },
    ],
    maxPricePerHour: "$25.50",
    maxPricePerHourCents: 2550,
    maxRunTimeHours: 24,
    numInstances: 2,
    region: "us-central1-b",
    workingDir: "/workspace/project",
    uploadCode: true,
    codeDir: "./src",
    priority: 80,
  };

  it("parses every field, normalising paths, prices and env values", () => {
    expect(parseTaskConfig(full)).toEqual(expected);
  });

  it("reads the seed's snake_case spelling into the same config", () => {
    const snake = {
      name: full.name,
      instance_type: full.instanceType,
      shell: full.shell,
      image: full.image,
      env: full.env,
      ssh_keys: full.sshKeys,
      volumes: [
        { size_gb: 500, mount_path: "/data/", name: "shared-data", interface: "file" },
        { volume_id: "vol_abc123", mount_path: "/checkpoints" },
      ],
      max_price_per_hour: full.maxPricePerHour,
      max_run_time_hours: full.maxRunTimeHours,
      num_instances: full.numInstances,
      region: full.region,
      working_dir: full.workingDir,
      upload_code: full.uploadCode,
      code_dir: full.codeDir,
      priority: full.priority,
    };
    expect(parseTaskConfig(snake)).toEqual(expected);
  });

  it("reads min_gpu_memory_gb", () => {
    const config = parseTaskConfig({ name: "x", min_gpu_memory_gb: 80, max_price_per_hour: 20, command: "python train.py" });
    expect(config.minGpuMemoryGb).toBe(80);
    expect(config.instanceType).toBeUndefined();
    expect(config.maxPricePerHourCents).toBe(2000);
  });

  it("leaves no undefined keys (the config serialises as written)", () => {
    const config = parseTaskConfig(base());
    expect(Object.values(config).includes(undefined)).toBe(false);
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it("does not mutate its input", () => {
    const input = deepFreeze(structuredClone(full));
    expect(() => parseTaskConfig(input)).not.toThrow();
    expect(input).toEqual(full);
  });

  it("treats an empty sshKeys list as none given (a key is generated)", () => {
    expect(parseTaskConfig(base({ sshKeys: [] })).sshKeys).toBeUndefined();
  });

  it("accepts a custom instance type name only when it is mapped", () => {
    expect(validateTaskConfig(base({ instanceType: "my-box" })).errors[0]?.field).toBe("instanceType");
    const config = parseTaskConfig(base({ instanceType: "my-box" }), { instanceTypeOverrides: { "my-box": "it_MsIRhxj3ccyVWGfP" } });
    expect(config.instanceType).toBe("my-box");
  });

  it("distinguishes new and existing volumes", () => {
    const [created, attached] = parseTaskConfig(full).volumes;
    expect(isExistingVolume(created)).toBe(false);
    expect(isExistingVolume(attached)).toBe(true);
  });
});

describe.each([
  ["a100"],
  ["1xa100"],
  ["2xa100"],
  ["8xh100"],
  ["h100"],
  ["a100-80gb.sxm.1x"],
  ["h100-80gb.pcie.1x"],
  ["it_MsIRhxj3ccyVWGfP"],
])("instanceType %j (a seed format)", (instanceType) => {
  it("is accepted as written", () => {
    expect(parseTaskConfig(base({ instanceType })).instanceType).toBe(instanceType);
  });
});

describe("entrypoint: command, shell or script", () => {
  it.each([
    ["command list", { command: ["python", "train.py", "--epochs", "10"] }, { kind: "argv", argv: ["python", "train.py", "--epochs", "10"] }],
    ["command string (a shell line, not the seed's one-element list)", { command: "pip install -r requirements.txt && python train.py" }, { kind: "shell", commandLine: "pip install -r requirements.txt && python train.py" }],
    ["shell", { shell: "  cd /app && python train.py --epochs 10 " }, { kind: "shell", commandLine: "cd /app && python train.py --epochs 10" }],
    [
      "script without #! (Python, run by python3; dedented)",
      { script: "\n    import torch\n    model = torch.nn.Linear(10, 1)\n    if True:\n        print('Model created')\n  " },
      { kind: "script", interpreter: ["python3"], content: "import torch\nmodel = torch.nn.Linear(10, 1)\nif True:\n    print('Model created')\n" },
    ],
    [
      "script with #! (the interpreter it names)",
      { script: "\n  #!/usr/bin/env bash\n  set -e\n  nvidia-smi\n" },
      { kind: "script", interpreter: ["/usr/bin/env", "bash"], content: "#!/usr/bin/env bash\nset -e\nnvidia-smi\n" },
    ],
  ])("%s", (_label, run, entrypoint) => {
    expect(parseTaskConfig({ ...without(base(), "command"), ...run }).entrypoint).toEqual(entrypoint);
  });
});

describe("maxPricePerHour", () => {
  it.each([
    [10, "$10.00", 1000],
    [12.5, "$12.50", 1250],
    [0.01, "$0.01", 1],
    ["$12.50", "$12.50", 1250],
    ["$7", "$7.00", 700],
  ])("%j is %s (%d cents)", (maxPricePerHour, wire, cents) => {
    const config = parseTaskConfig(base({ maxPricePerHour }));
    expect(config.maxPricePerHour).toBe(wire);
    expect(config.maxPricePerHourCents).toBe(cents);
  });

  it.each([
    [0, /more than \$0\.00/],
    ["$0.00", /more than \$0\.00/],
    [-1, /non-negative/],
    [1.234, /precision than a cent/],
    ["12.50", /dollar string like "\$15\.00"/],
    ["$1.234", /dollar string/],
    ["abc", /dollar string/],
    [true, /dollars per instance-hour.*not boolean/],
    [Number.NaN, /dollars per instance-hour|non-negative/],
  ])("rejects %j", (maxPricePerHour, message) => {
    expectOneError(base({ maxPricePerHour }), "maxPricePerHour", message);
  });
});

// Every rule: one change to a valid config, exactly one problem, at this field, saying this.
describe.each<[string, Raw, string, RegExp]>([
  // name
  ["name missing", without(base(), "name"), "name", /is required/],
  ["name not a string", base({ name: 7 }), "name", /must be a string, not number 7/],
  ["name empty", base({ name: "" }), "name", /must not be empty/],
  ["name with a slash", base({ name: "training/data set" }), "name", /letters, digits, "-" and "_"/],
  ["name starting with a dash", base({ name: "-job" }), "name", /starting with a letter or digit/],
  ["name of 64 characters", base({ name: "a".repeat(64) }), "name", /at most 63 characters/],
  // price
  ["maxPricePerHour missing", without(base(), "maxPricePerHour"), "maxPricePerHour", /is required: the most the bid may pay per instance-hour/],
  // instance
  ["no instanceType nor minGpuMemoryGb", without(base(), "instanceType"), "instanceType", /exactly one of instanceType .* or minGpuMemoryGb/],
  ["instanceType and minGpuMemoryGb", base({ minGpuMemoryGb: 80 }), "minGpuMemoryGb", /cannot be combined with instanceType/],
  ["instanceType gpu.nvidia.a100", base({ instanceType: "gpu.nvidia.a100" }), "instanceType", /gpu\.nvidia\.a100.*write "a100"/],
  ["instanceType A100", base({ instanceType: "A100" }), "instanceType", /write "a100"/],
  ["instanceType a100x8", base({ instanceType: "a100x8" }), "instanceType", /write "8xa100"/],
  ["instanceType a100*8", base({ instanceType: "a100*8" }), "instanceType", /write "8xa100"/],
  ["instanceType nvidia-a100", base({ instanceType: "nvidia-a100" }), "instanceType", /write "a100"/],
  ["instanceType a100-80gb", base({ instanceType: "a100-80gb" }), "instanceType", /write "a100-80gb\.sxm\.1x"/],
  ["instanceType a number", base({ instanceType: 100 }), "instanceType", /must be a string such as "a100"/],
  ["minGpuMemoryGb 0", base({ instanceType: undefined, minGpuMemoryGb: 0 }), "minGpuMemoryGb", /more than 0 GB/],
  ["minGpuMemoryGb 2000", base({ instanceType: undefined, minGpuMemoryGb: 2000 }), "minGpuMemoryGb", /at most 1024 GB/],
  ["minGpuMemoryGb a string", base({ instanceType: undefined, minGpuMemoryGb: "80" }), "minGpuMemoryGb", /number of GB, not string "80"/],
  // command / shell / script
  ["nothing to run", without(base(), "command"), "command", /one of command .*, shell .* or script/],
  ["command and shell", base({ shell: "python train.py" }), "shell", /cannot be combined with command/],
  ["command and script", base({ script: "print(1)" }), "script", /cannot be combined with command/],
  ["shell and script", base({ command: undefined, shell: "x", script: "print(1)" }), "script", /cannot be combined with shell/],
  ["command empty list", base({ command: [] }), "command", /must not be empty/],
  ["command empty program", base({ command: ["", "x"] }), "command[0]", /first element is the program/],
  ["command the seed's one-string list", base({ command: ["python train.py"] }), "command[0]", /contains whitespace/],
  ["command with a number", base({ command: ["python", "train.py", "--epochs", 10] }), "command[3]", /must be a string, not number 10/],
  ["command a number", base({ command: 5 }), "command", /list of strings .* or a command line string, not number 5/],
  ["command blank string", base({ command: "   " }), "command", /must not be empty/],
  ["shell empty", base({ command: undefined, shell: "" }), "shell", /must not be empty/],
  ["script blank", base({ command: undefined, script: "\n   \n" }), "script", /must not be empty/],
  ["script with a relative #!", base({ command: undefined, script: "#!python\nprint(1)" }), "script", /absolute interpreter path/],
  // image
  ["image empty", base({ image: "" }), "image", /must not be empty; omit image/],
  ["image uppercase", base({ image: "MyApp:latest" }), "image", /not a valid image reference/],
  ["image with a space", base({ image: "my app" }), "image", /not a valid image reference/],
  // env
  ["env name starting with a digit", base({ env: { "1ABC": "x" } }), "env[\"1ABC\"]", /not a valid environment variable name/],
  ["env name with a dash", base({ env: { "MY-VAR": "x" } }), "env[\"MY-VAR\"]", /not a valid environment variable name/],
  ["env FLOW_ prefix", base({ env: { FLOW_NODE_RANK: "3" } }), "env.FLOW_NODE_RANK", /prefix FLOW_, which is reserved/],
  ["env FCP_ prefix", base({ env: { FCP_API_KEY: "x" } }), "env.FCP_API_KEY", /prefix FCP_, which is reserved/],
  ["env value an object", base({ env: { A: { b: 1 } } }), "env.A", /must be a string .*, not an object/],
  ["env value null", base({ env: { A: null } }), "env.A", /must be a string .*, not null/],
  ["env value with NUL", base({ env: { A: "a\0b" } }), "env.A", /NUL/],
  ["env value with a lone surrogate", base({ env: { A: "a\ud800b" } }), "env.A", /valid Unicode/],
  ["env the FCP key under another name", base({ env: { MITHRIL_API_KEY: "x" } }), "env.MITHRIL_API_KEY", /never hold the key/],
  ["env a variable bash keeps read-only", base({ env: { UID: "0" } }), "env.UID", /read-only/],
  ["env MASTER_ADDR on a cluster", base({ numInstances: 2, env: { MASTER_ADDR: "10.0.0.1" } }), "env.MASTER_ADDR", /set by the cluster section/],
  ["env a list", base({ env: ["A=1"] }), "env", /expected record|object/i],
  // sshKeys
  ["sshKeys a string", base({ sshKeys: "ssh-key_abc" }), "sshKeys", /must be a list of key ids: write \["ssh-key_abc"\]/],
  ["sshKeys empty id", base({ sshKeys: [""] }), "sshKeys[0]", /must not be empty/],
  ["sshKeys a public key", base({ sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI user@host"] }), "sshKeys[0]", /looks like key material/],
  ["sshKeys a file path", base({ sshKeys: ["~/.ssh/id_ed25519.pub"] }), "sshKeys[0]", /looks like a file path/],
  ["sshKeys with whitespace", base({ sshKeys: ["key 1"] }), "sshKeys[0]", /whitespace/],
  ["sshKeys repeated", base({ sshKeys: ["k1", "k1"] }), "sshKeys[1]", /repeats "k1"/],
  // volumes
  ["volumes an object", base({ volumes: { sizeGb: 1, mountPath: "/data" } }), "volumes", /must be a list of volumes/],
  ["volume not an object", base({ volumes: ["/data"] }), "volumes[0]", /must be an object such as/],
  ["volume without sizeGb or volumeId", base({ volumes: [{ mountPath: "/data" }] }), "volumes[0].sizeGb", /required for a new volume; .* volumeId/],
  ["volume by name (the seed's pattern)", base({ volumes: [{ name: "my-code", mountPath: "/code" }] }), "volumes[0].sizeGb", /required for a new volume/],
  ["volume sizeGb 0", base({ volumes: [{ sizeGb: 0, mountPath: "/data" }] }), "volumes[0].sizeGb", /at least 1 GB/],
  ["volume sizeGb 1.5", base({ volumes: [{ sizeGb: 1.5, mountPath: "/data" }] }), "volumes[0].sizeGb", /whole number of GB/],
  ["volume sizeGb 20000", base({ volumes: [{ sizeGb: 20000, mountPath: "/data" }] }), "volumes[0].sizeGb", /at most 16384 GB/],
  ["volume without mountPath", base({ volumes: [{ sizeGb: 10 }] }), "volumes[0].mountPath", /is required/],
  ["mountPath relative", base({ volumes: [{ sizeGb: 10, mountPath: "data" }] }), "volumes[0].mountPath", /absolute path/],
  ["mountPath /", base({ volumes: [{ sizeGb: 10, mountPath: "/" }] }), "volumes[0].mountPath", /must not be \//],
  ["mountPath with ..", base({ volumes: [{ sizeGb: 10, mountPath: "/data/../etc" }] }), "volumes[0].mountPath", /must not contain "\.\."/],
  ["mountPath with a space", base({ volumes: [{ sizeGb: 10, mountPath: "/my data" }] }), "volumes[0].mountPath", /no spaces or quotes/],
  ["mountPath with a tilde", base({ volumes: [{ sizeGb: 10, mountPath: "/data~1" }] }), "volumes[0].mountPath", /letters, digits/],
  ["mountPath under /proc", base({ volumes: [{ sizeGb: 10, mountPath: "/proc/x" }] }), "volumes[0].mountPath", /hide the system directory \/proc/],
  ["mountPath under /var/lib/flow (the startup state)", base({ volumes: [{ sizeGb: 10, mountPath: "/var/lib/flow/x" }] }), "volumes[0].mountPath", /hide the system directory \/var\/lib\/flow/],
  ["mountPath ~/.ssh", base({ volumes: [{ sizeGb: 10, mountPath: "/home/ubuntu/.ssh" }] }), "volumes[0].mountPath", /hide the system directory/],
  ["mountPath /home/ubuntu (hides the SSH keys)", base({ volumes: [{ sizeGb: 10, mountPath: "/home/ubuntu" }] }), "volumes[0].mountPath", /hide the system directory/],
  ["mountPath the workingDir, with uploadCode", base({ volumes: [{ sizeGb: 10, mountPath: "/workspace" }] }), "volumes[0].mountPath", /is the workingDir \/workspace/],
  [
    "mountPath a custom workingDir",
    base({ workingDir: "/app", volumes: [{ sizeGb: 10, mountPath: "/app/" }] }),
    "volumes[0].mountPath",
    /is the workingDir \/app/,
  ],
  [
    "mountPath repeated (after normalisation)",
    base({ volumes: [{ sizeGb: 10, mountPath: "/data" }, { sizeGb: 10, mountPath: "//data/" }] }),
    "volumes[1].mountPath",
    /also the mountPath of volumes\[0\]/,
  ],
  [
    "mountPath enclosing an earlier one",
    base({ volumes: [{ sizeGb: 10, mountPath: "/data/cache" }, { sizeGb: 10, mountPath: "/data" }] }),
    "volumes[1].mountPath",
    /contains volumes\[0\]\.mountPath \/data\/cache/,
  ],
  ["existing volume with sizeGb", base({ volumes: [{ volumeId: "vol_1", mountPath: "/data", sizeGb: 100 }] }), "volumes[0].sizeGb", /cannot be given for an existing volume/],
  ["existing volume with interface", base({ volumes: [{ volumeId: "vol_1", mountPath: "/data", interface: "file" }] }), "volumes[0].interface", /cannot be given for an existing volume/],
  ["existing volume with name", base({ volumes: [{ volumeId: "vol_1", mountPath: "/data", name: "d" }] }), "volumes[0].name", /cannot be given for an existing volume/],
  ["existing volume id with spaces", base({ volumes: [{ volumeId: "vol 1", mountPath: "/data" }] }), "volumes[0].volumeId", /FCP volume id/],
  [
    "the same volume twice",
    base({ volumes: [{ volumeId: "vol_1", mountPath: "/a" }, { volumeId: "vol_1", mountPath: "/b" }] }),
    "volumes[1].volumeId",
    /same volume as volumes\[0\]/,
  ],
  [
    "two new volumes with one name",
    base({ volumes: [{ sizeGb: 1, mountPath: "/a", name: "d" }, { sizeGb: 1, mountPath: "/b", name: "d" }] }),
    "volumes[1].name",
    /repeats the name of volumes\[0\]/,
  ],
  ["volume interface nfs", base({ volumes: [{ sizeGb: 1, mountPath: "/a", interface: "nfs" }] }), "volumes[0].interface", /"block" or "file", not "nfs"/],
  ["volume name with a slash", base({ volumes: [{ sizeGb: 1, mountPath: "/a", name: "a/b" }] }), "volumes[0].name", /letters, digits/],
  [
    "block volume on a cluster",
    base({ numInstances: 2, volumes: [{ sizeGb: 100, mountPath: "/data" }] }),
    "volumes[0].interface",
    /"block", but FCP cannot attach a block volume to a bid of 2 instances/,
  ],
  // limits
  ["maxRunTimeHours 0", base({ maxRunTimeHours: 0 }), "maxRunTimeHours", /more than 0 hours/],
  ["maxRunTimeHours 169", base({ maxRunTimeHours: 169 }), "maxRunTimeHours", /at most 168 hours \(7 days\)/],
  ["maxRunTimeHours a string", base({ maxRunTimeHours: "24" }), "maxRunTimeHours", /number of hours, not string "24"/],
  ["numInstances 0", base({ numInstances: 0 }), "numInstances", /at least 1/],
  ["numInstances 1.5", base({ numInstances: 1.5 }), "numInstances", /whole number/],
  ["numInstances 2000", base({ numInstances: 2000 }), "numInstances", /at most 1024/],
  ["region uppercase", base({ region: "US-Central1-B" }), "region", /not a region name/],
  ["region empty", base({ region: "" }), "region", /not a region name/],
  // working dir and code
  ["workingDir relative", base({ workingDir: "workspace" }), "workingDir", /absolute path/],
  ["workingDir /", base({ workingDir: "/" }), "workingDir", /must not be \//],
  ["workingDir under /usr", base({ workingDir: "/usr/local/app" }), "workingDir", /system directory \/usr/],
  ["uploadCode a string", base({ uploadCode: "yes" }), "uploadCode", /true or false, not "yes"/],
  ["codeDir without uploadCode", base({ uploadCode: false, codeDir: "./src" }), "codeDir", /uploadCode is false/],
  ["codeDir empty", base({ codeDir: " " }), "codeDir", /must not be empty/],
  ["priority -1", base({ priority: -1 }), "priority", /at least 0/],
  ["priority 101", base({ priority: 101 }), "priority", /at most 100/],
  ["priority 50.5", base({ priority: 50.5 }), "priority", /whole number/],
])("rule: %s", (_label, input, field, message) => {
  it("is the only problem reported, at its field", () => {
    expectOneError(input, field, message);
  });
  it("throws a ValidationError naming the field", () => {
    const e = thrown(input);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(/^Invalid TaskConfig/);
    expect(e.message).toContain(`- ${field}: `);
  });
});

describe.each<[string, Raw]>([
  ["file volume on a cluster", { numInstances: 4, volumes: [{ sizeGb: 100, mountPath: "/data", interface: "file" }] }],
  ["existing volume on a cluster (its interface is checked when attached)", { numInstances: 4, volumes: [{ volumeId: "vol_1", mountPath: "/data" }] }],
  ["volume at the workingDir without uploadCode (code already on it)", { uploadCode: false, volumes: [{ sizeGb: 10, mountPath: "/workspace" }] }],
  ["nested mounts, outer first", { volumes: [{ sizeGb: 10, mountPath: "/data" }, { sizeGb: 10, mountPath: "/data/cache" }] }],
  ["docker cache volume (the seed's example)", { volumes: [{ sizeGb: 50, mountPath: "/var/lib/docker", name: "docker-cache" }] }],
  ["maxRunTimeHours 168", { maxRunTimeHours: 168 }],
  ["a name of 63 characters", { name: "a".repeat(63) }],
  ["priority 0", { priority: 0 }],
  ["env names in lowercase", { env: { http_proxy: "http://proxy:3128" } }],
  ["env MASTER_ADDR on one instance", { env: { MASTER_ADDR: "localhost" } }],
  ["env values with quotes, $() and newlines", { env: { A: `it's "$(rm -rf /)"\n\`x\`` } }],
  ["mount at /mnt", { volumes: [{ sizeGb: 10, mountPath: "/mnt" }] }],
  ["image with a registry port and tag", { image: "localhost:5000/team/app:v1.2" }],
  ["image by digest", { image: `ghcr.io/org/app@sha256:${"a".repeat(64)}` }],
  ["image python:3.11-slim", { image: "python:3.11-slim" }],
])("accepted: %s", (_label, patch) => {
  it("parses", () => {
    expect(validateTaskConfig(base(patch)).errors).toEqual([]);
  });
});

// The seed's "Common Field Name Mistakes in TaskConfig", in both spellings, plus its extras.
describe.each<[string, unknown, string, RegExp]>([
  ["environment", { A: "1" }, "env", /environment variables go in env/],
  ["Environment", { A: "1" }, "env", /did you mean env/],
  ["env_vars", { A: "1" }, "env", /did you mean env/],
  ["ssh_key", "ssh-key_abc", "sshKeys", /always plural/],
  ["sshKey", "ssh-key_abc", "sshKeys", /always plural/],
  ["max_price", 10, "maxPricePerHour", /did you mean maxPricePerHour/],
  ["maxPrice", 10, "maxPricePerHour", /did you mean maxPricePerHour/],
  ["price", "$10.00", "maxPricePerHour", /did you mean maxPricePerHour/],
  ["instance_count", 2, "numInstances", /did you mean numInstances/],
  ["instanceCount", 2, "numInstances", /did you mean numInstances/],
  ["instances", 2, "numInstances", /did you mean numInstances/],
  ["gpu", "a100", "instanceType", /did you mean instanceType/],
  ["working_directory", "/app", "workingDir", /did you mean workingDir/],
  ["cmd", ["python"], "command", /did you mean command/],
  ["docker_image", "python:3.11", "image", /did you mean image/],
  // near misses
  ["comand", ["python"], "command", /did you mean command/],
  ["imgae", "python:3.11", "image", /did you mean image/],
  ["regoin", "us-central1-b", "region", /did you mean region/],
  ["enviroment", { A: "1" }, "env", /did you mean env/],
  ["sshkeys", ["k"], "sshKeys", /did you mean sshKeys/],
  ["numInstance", 2, "numInstances", /did you mean numInstances/],
  ["maxRunTimeHour", 2, "maxRunTimeHours", /did you mean maxRunTimeHours/],
  ["volums", [], "volumes", /did you mean volumes/],
])("mistake: %s", (key, value, meant, message) => {
  it(`reports ${key} at its own path and suggests ${meant}`, () => {
    const { errors, suggestions } = errorsOf(base({ [key]: value }));
    expect(errors).toEqual([expect.objectContaining({ field: key, message: expect.stringMatching(message) })]);
    expect(suggestions).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^Did you mean ${meant}\\?`))]));
  });
});

describe("mistakes: what to write instead", () => {
  it.each<[Raw, string, RegExp]>([
    [{ ...without(base(), "instanceType"), gpu: "a100:4" }, "gpu", /Write instanceType: "4xa100"\./],
    [{ ...without(base(), "instanceType"), gpu: "A100" }, "gpu", /Write instanceType: "a100"\./],
    [base({ ssh_key: "ssh-key_abc" }), "ssh_key", /Write sshKeys: \["ssh-key_abc"\]\./],
    [{ name: "x", instance_type: "a100", shell: "x", ssh_key: "k" }, "ssh_key", /Write ssh_keys: \["k"\]\./],
    [base({ max_price: 10 }), "max_price", /Write maxPricePerHour: 10\./],
    [base({ instances: 2 }), "instances", /Write numInstances: 2\./],
    [base({ volume: { sizeGb: 1, mountPath: "/d" } }), "volume", /Write volumes: \[ \.\.\. \], a list\./],
  ])("%j", (input, field, suggestion) => {
    const { errors, suggestions } = validateTaskConfig(input);
    expect(errors.map((e) => e.field)).toContain(field);
    expect(suggestions).toEqual(expect.arrayContaining([expect.stringMatching(suggestion)]));
  });

  it("does not suggest a value the field would reject", () => {
    const { suggestions } = validateTaskConfig(base({ priorty: "high" }));
    expect(suggestions).toContain("Did you mean priority?");
  });

  it("lists the known fields for a key nothing resembles", () => {
    const { error, suggestions } = expectOneError(base({ foo: 1 }), "foo", /is not a field of TaskConfig/);
    expect(error.value).toBe(1);
    expect(suggestions.join(" ")).toMatch(/Known fields: name, instanceType, .*priority/);
  });

  it.each<[string, RegExp]>([
    ["minRunTimeHours", /no minimum run time can be guaranteed/],
    ["min_run_time_hours", /no minimum run time can be guaranteed/],
    ["deadline_hours", /no deadline; use maxRunTimeHours/],
    ["mounts", /data mounts .* not part of the Task/],
  ])("explains why the seed's extra field %s is not supported", (key, message) => {
    expectOneError(base({ [key]: key === "mounts" ? [] : 1 }), key, message);
  });

  it.each<[Raw, string, RegExp]>([
    [{ size_gb: 1, mount_point: "/d" }, "volumes[0].mount_point", /did you mean mount_path/],
    [{ sizeGb: 1, path: "/d" }, "volumes[0].path", /did you mean mountPath/],
    [{ size: 1, mountPath: "/d" }, "volumes[0].size", /did you mean sizeGb/],
    [{ id: "vol_1", mountPath: "/d" }, "volumes[0].id", /did you mean volumeId/],
    [{ sizeGb: 1, mountPath: "/d", disk_interface: "file" }, "volumes[0].disk_interface", /did you mean interface/],
    [{ sizeGb: 1, mountPath: "/d", iops: 3000 }, "volumes[0].iops", /no performance options/],
  ])("volume mistake %j", (volume, field, message) => {
    const { errors } = validateTaskConfig(base({ volumes: [volume] }));
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
  });
});

describe("parseTaskConfig: every problem at once", () => {
  const input = {
    name: "bad name",
    instance_type: "gpu.nvidia.a100",
    min_gpu_memory_gb: 80,
    command: ["python train.py"],
    environment: { A: "1" },
    ssh_key: "ssh-key_1",
    max_price: 10,
    instance_count: 2,
    max_run_time_hours: 200,
    volumes: [
      { size_gb: 100, mount_path: "data" },
      { volume_id: "vol_1", mount_path: "/ckpt", size_gb: 5 },
    ],
    env: { FLOW_TOKEN: "hunter2-very-secret" },
  };

  it("lists every problem, with paths in the user's own spelling", () => {
    const e = thrown(input);
    expect(e.fieldErrors.map((f) => f.field).sort()).toEqual(
      [
        "name",
        "instance_type",
        "min_gpu_memory_gb",
        "command[0]",
        "environment",
        "ssh_key",
        "max_price",
        "instance_count",
        "max_run_time_hours",
        "volumes[0].mount_path",
        "volumes[1].size_gb",
        "env.FLOW_TOKEN",
        "max_price_per_hour",
      ].sort(),
    );
    expect(e.message).toMatch(/^Invalid TaskConfig "bad name": 13 problems:/);
    for (const f of e.fieldErrors) expect(e.message).toContain(`- ${f.field}: ${f.message}`);
    expect(e.field).toBeUndefined();
  });

  it("names fields in snake_case for a snake_case config", () => {
    const e = thrown(input);
    expect(e.message).toMatch(/min_gpu_memory_gb: cannot be combined with instance_type/);
    expect(e.message).toMatch(/did you mean ssh_keys\?/);
    expect(e.suggestions).toEqual(expect.arrayContaining(["Did you mean max_price_per_hour? Write max_price_per_hour: 10.", 'Use "a100".']));
  });

  it("shows the value found, but never an env value", () => {
    const e = thrown(input);
    expect(e.message).toMatch(/max_run_time_hours: .*\(got 200\)/);
    expect(e.message).not.toContain("hunter2");
    expect(JSON.stringify(e.fieldErrors)).not.toContain("hunter2");
    expect(JSON.stringify(e.suggestions)).not.toContain("hunter2");
  });

  it("reports a field given in both spellings", () => {
    const { errors } = errorsOf(base({ instance_type: "2xa100" }));
    expect(errors).toEqual([expect.objectContaining({ field: "instance_type", message: expect.stringMatching(/is the same field as instanceType, given twice/) })]);
  });

  it("refuses what is not an object", () => {
    for (const input of [undefined, null, "a100", 5, ["a100"]]) {
      expect(errorsOf(input).errors).toEqual([expect.objectContaining({ field: "(config)", message: expect.stringMatching(/must be an object/) })]);
    }
  });
});

describe("taskConfigSchema (camelCase only)", () => {
  it("parses a camelCase config", () => {
    expect(taskConfigSchema.parse(base()).entrypoint).toEqual({ kind: "argv", argv: ["python", "train.py"] });
  });

  it("rejects snake_case keys, naming the camelCase field", () => {
    const result = taskConfigSchema.safeParse({ ...without(base(), "instanceType"), instance_type: "a100" });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message).join("\n");
    expect(messages).toMatch(/instance_type is the snake_case spelling of instanceType/);
    expect(messages).toMatch(/exactly one of instanceType/);
  });

  it("reports a non-object as one problem, not as missing fields", () => {
    expect(taskConfigSchema.safeParse(5).error!.issues.map((i) => i.message)).toEqual(["must be an object of TaskConfig fields, not number 5"]);
  });

  it("explains unknown keys with did-you-mean in its own issues", () => {
    const result = taskConfigSchema.safeParse(base({ environment: {} }));
    expect(result.error!.issues.map((i) => i.message)).toEqual([expect.stringMatching(/environment is not a field; did you mean env\?/)]);
  });
});

describe("TaskConfigInput (compile-time)", () => {
  it("types what users write", () => {
    const config: TaskConfigInput = {
      name: "dev-box",
      instanceType: "a100",
      command: "sleep infinity",
      env: { EPOCHS: 10 },
      volumes: [{ sizeGb: 10, mountPath: "/data", interface: "file" }, { volumeId: "vol_1", mountPath: "/ckpt" }],
      maxPricePerHour: "$10.00",
    };
    // @ts-expect-error the seed's common mistake is a compile error in TypeScript
    const wrong: TaskConfigInput = { name: "x", instanceType: "a100", command: ["x"], environment: {} };
    expect(parseTaskConfig(config).name).toBe("dev-box");
    expect(() => parseTaskConfig(wrong)).toThrow(/did you mean env/);
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
