import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { CodePackageError, CodePackageTooLargeError, packageCode, type PackagedCode } from "../../../src/startup";

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function tempDir(prefix = "pkg-"): string {
  const d = fs.mkdtempSync(join(tmpdir(), prefix));
  roots.push(d);
  return d;
}

/** Writes `files` (path -> content) under a new temporary directory. */
function tree(files: Record<string, string | Buffer>, order: "forward" | "reverse" = "forward"): string {
  const root = tempDir();
  const entries = Object.entries(files);
  if (order === "reverse") entries.reverse();
  for (const [p, content] of entries) {
    fs.mkdirSync(join(root, p, ".."), { recursive: true });
    fs.writeFileSync(join(root, p), content);
  }
  return root;
}

interface Header {
  path: string;
  type: string;
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  mtime?: Date;
  linkpath?: string;
}

function headers(pkg: PackagedCode): Header[] {
  const out: Header[] = [];
  const parser = new Parser({
    onReadEntry: (e: ReadEntry) => {
      out.push({ path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, uname: e.uname, mtime: e.mtime, linkpath: e.linkpath });
      e.resume();
    },
  });
  parser.end(pkg.bytes);
  return out;
}

const paths = (pkg: PackagedCode): string[] => pkg.files.map((f) => f.path);

/** Extracts with GNU tar, as the instance does. */
function gnuExtract(pkg: PackagedCode): string {
  const dest = tempDir("extract-");
  const archive = join(dest, "..", `${dest.split("/").pop()}.tgz`);
  fs.writeFileSync(archive, pkg.bytes);
  roots.push(archive);
  const r = spawnSync("tar", ["-xzmf", archive, "-C", dest, "--no-same-owner"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`GNU tar failed: ${r.stderr}`);
  return dest;
}

const sample = {
  "train.py": "import torch\nprint('train')\n",
  "src/model.py": "class Model: pass\n",
  "src/data/loader.py": "def load(): ...\n",
  "weights.bin": randomBytes(3000),
  "README.md": "# project\n",
};

describe("packageCode determinism", () => {
  test("the same tree packaged twice gives the same bytes", async () => {
    const root = tree(sample);
    const a = await packageCode(root);
    const b = await packageCode(root);
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(b.sha256).toBe(a.sha256);
  });

  test("a copy made in another order, at another time, with other permissions, gives the same bytes", async () => {
    const a = await packageCode(tree(sample));
    const other = tree(sample, "reverse");
    const past = new Date("2011-03-04T05:06:07Z");
    for (const p of Object.keys(sample)) {
      fs.utimesSync(join(other, p), past, past);
      fs.chmodSync(join(other, p), 0o600);
    }
    fs.chmodSync(join(other, "src"), 0o700);
    fs.linkSync(join(other, "README.md"), join(tempDir(), "hardlink-elsewhere"));
    const b = await packageCode(other);
    expect(b.sha256).toBe(a.sha256);
  });

  test("gzip carries no timestamp and a fixed OS byte", async () => {
    const { bytes } = await packageCode(tree(sample));
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(bytes.readUInt32LE(4)).toBe(0);
    expect(bytes[9]).toBe(0xff);
  });

  test("tar headers carry a fixed mtime, no owner, and modes 0644 / 0755", async () => {
    const root = tree(sample);
    fs.chmodSync(join(root, "train.py"), 0o700);
    fs.chmodSync(join(root, "README.md"), 0o664);
    const pkg = await packageCode(root);
    const hs = headers(pkg);
    for (const h of hs) {
      expect(h.uid ?? 0).toBe(0);
      expect(h.gid ?? 0).toBe(0);
      expect(h.uname ?? "").toBe("");
      if (h.type === "File") expect(h.mtime?.toISOString()).toBe("2000-01-01T00:00:00.000Z");
    }
    const mode = (p: string): number | undefined => hs.find((h) => h.path === p)?.mode;
    expect(mode("train.py")).toBe(0o755);
    expect(mode("README.md")).toBe(0o644);
    expect(mode("src/")).toBe(0o755);
  });

  test("reports files, sizes and hashes that match the bytes", async () => {
    const pkg = await packageCode(tree(sample));
    expect(paths(pkg)).toEqual(["README.md", "src/data/loader.py", "src/model.py", "train.py", "weights.bin"]);
    expect(pkg.files.find((f) => f.path === "weights.bin")).toEqual({ path: "weights.bin", type: "file", size: 3000 });
    expect(pkg.uncompressedBytes).toBe(Object.values(sample).reduce((n, c) => n + Buffer.byteLength(c), 0));
    expect(pkg.compressedBytes).toBe(pkg.bytes.length);
    expect(pkg.sha256).toBe(sha(pkg.bytes));
    expect(pkg.contentSha256).toBe(sha(gunzipSync(pkg.bytes)));
  });
});

describe("packageCode contents", () => {
  test("GNU tar extracts every file byte for byte, with the executable bit", async () => {
    const root = tree({ ...sample, "run.sh": "#!/bin/sh\necho hi\n" });
    fs.chmodSync(join(root, "run.sh"), 0o755);
    const dest = gnuExtract(await packageCode(root));
    for (const [p, content] of Object.entries(sample)) expect(fs.readFileSync(join(dest, p)).equals(Buffer.from(content))).toBe(true);
    expect(fs.statSync(join(dest, "run.sh")).mode & 0o111).toBe(0o111);
    expect(fs.statSync(join(dest, "train.py")).mode & 0o111).toBe(0);
  });

  test("a tar over 1 MiB is gzipped in 1 MiB members that gzip, zlib and GNU tar read as one stream", async () => {
    const files = { "a.bin": randomBytes(1_500_000), "b.txt": "x".repeat(900_000), "c.bin": randomBytes(700_000) };
    const root = tree(files);
    const pkg = await packageCode(root);
    const members = pkg.bytes.toString("latin1").split("\x1f\x8b\x08").length - 1;
    expect(members).toBeGreaterThanOrEqual(3);
    expect(pkg.contentSha256).toBe(sha(gunzipSync(pkg.bytes)));
    const dest = gnuExtract(pkg);
    for (const [p, content] of Object.entries(files)) expect(fs.readFileSync(join(dest, p)).equals(Buffer.from(content))).toBe(true);
    const again = await packageCode(root);
    expect(again.sha256).toBe(pkg.sha256);
  });

  test("compresses small packages harder (level 9) than large ones (level 6, like tar czf)", async () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${(i * 7919) % 1000}`).join("\n");
    const root = tree({ "src.py": text });
    const auto = await packageCode(root);
    expect(auto.sha256).toBe((await packageCode(root, { gzipLevel: 9 })).sha256);
    expect((await packageCode(root, { gzipLevel: 1 })).compressedBytes).toBeGreaterThan(auto.compressedBytes);
  });

  test("keeps unicode names, paths over 100 characters, and a file whose name starts with @", async () => {
    const long = `${"deep/".repeat(25)}file.txt`;
    const files = { "日本語/データ.txt": "unicode\n", [long]: "long\n", "@weird.txt": "at\n", "with space.txt": "space\n" };
    const dest = gnuExtract(await packageCode(tree(files)));
    for (const [p, content] of Object.entries(files)) expect(fs.readFileSync(join(dest, p), "utf8")).toBe(content);
  });

  test("leaves out the default excludes, at any depth", async () => {
    const pkg = await packageCode(
      tree({
        "train.py": "x",
        ".git/config": "x",
        "__pycache__/a.cpython-312.pyc": "x",
        "lib/__pycache__/b.pyc": "x",
        "node_modules/pkg/index.js": "x",
        "web/node_modules/pkg/index.js": "x",
        ".venv/bin/python": "x",
        "stale.pyc": "x",
        ".DS_Store": "x",
        "sub/.DS_Store": "x",
        ".pulumi/state.json": "x",
        ".mypy_cache/x": "x",
        ".ipynb_checkpoints/nb.ipynb": "x",
        "lib/util.py": "x",
      }),
    );
    expect(paths(pkg)).toEqual(["lib/util.py", "train.py"]);
  });

  test("follows .flowignore with .gitignore semantics", async () => {
    const pkg = await packageCode(
      tree({
        ".flowignore": "# data stays home\ndata/\n*.ckpt\n!keep.ckpt\n/rootonly.txt\n**/tmp/\nlogs/*\n!logs/important.log\n",
        ".gitignore": "train.py\n",
        "train.py": "x",
        "data/big.bin": "x",
        "data/keep.txt": "x",
        "model.ckpt": "x",
        "keep.ckpt": "x",
        "rootonly.txt": "x",
        "sub/rootonly.txt": "x",
        "a/b/tmp/x": "x",
        "logs/debug.log": "x",
        "logs/important.log": "x",
      }),
    );
    expect(pkg.ignoreFile).toBe(".flowignore");
    // .gitignore is not used when .flowignore exists, so train.py stays.
    expect(paths(pkg)).toEqual([".flowignore", ".gitignore", "keep.ckpt", "logs/important.log", "sub/rootonly.txt", "train.py"]);
  });

  test("falls back to .gitignore, including nested ones relative to their directory", async () => {
    const pkg = await packageCode(
      tree({
        ".gitignore": "*.log\n",
        "a.log": "x",
        "train.py": "x",
        "pkg/.gitignore": "generated/\n!keep.log\n",
        "pkg/generated/x.py": "x",
        "pkg/keep.log": "x",
        "pkg/drop.log": "x",
        "generated/top.py": "x",
      }),
    );
    expect(pkg.ignoreFile).toBe(".gitignore");
    expect(paths(pkg)).toEqual([".gitignore", "generated/top.py", "pkg/.gitignore", "pkg/keep.log", "train.py"]);
  });

  test("an ignore file can bring back a default exclude, and `exclude` wins over both", async () => {
    const root = tree({ ".flowignore": "!.venv/\n!secret.env\n", ".venv/lib.py": "x", "secret.env": "x", "train.py": "x" });
    expect(paths(await packageCode(root))).toEqual([".flowignore", ".venv/lib.py", "secret.env", "train.py"]);
    expect(paths(await packageCode(root, { exclude: ["*.env"] }))).toEqual([".flowignore", ".venv/lib.py", "train.py"]);
    expect(paths(await packageCode(root, { defaultExcludes: false, exclude: [".flowignore"] }))).toEqual([".venv/lib.py", "secret.env", "train.py"]);
  });
});

describe("packageCode symlinks", () => {
  test("keeps links inside the tree and skips links that leave it, without following them", async () => {
    const outside = tree({ "secret.txt": "do not upload" });
    const root = tree({ "train.py": "x", "configs/base.yaml": "lr: 1\n" });
    fs.symlinkSync("configs/base.yaml", join(root, "config.yaml"));
    fs.symlinkSync("configs", join(root, "cfg"));
    fs.symlinkSync(join(outside, "secret.txt"), join(root, "absolute.txt"));
    fs.symlinkSync("../" + outside.split("/").pop() + "/secret.txt", join(root, "escape.txt"));
    fs.symlinkSync(outside, join(root, "outdir"));
    fs.symlinkSync("missing.txt", join(root, "dangling.txt"));

    const pkg = await packageCode(root);
    expect(paths(pkg)).toEqual(["cfg", "config.yaml", "configs/base.yaml", "train.py"]);
    expect(pkg.files.filter((f) => f.type === "symlink").map((f) => f.path)).toEqual(["cfg", "config.yaml"]);
    expect(pkg.skipped.map((s) => s.path).sort()).toEqual(["absolute.txt", "dangling.txt", "escape.txt", "outdir"]);
    expect(pkg.skipped.find((s) => s.path === "escape.txt")?.reason).toMatch(/outside the directory/);
    expect(gunzipSync(pkg.bytes).includes(Buffer.from("do not upload"))).toBe(false);

    const dest = gnuExtract(pkg);
    expect(fs.readlinkSync(join(dest, "config.yaml"))).toBe("configs/base.yaml");
    expect(fs.readFileSync(join(dest, "cfg/base.yaml"), "utf8")).toBe("lr: 1\n");
  });
});

describe("packageCode limits and errors", () => {
  test("stops past the limit with the sizes, the largest files and what to do", async () => {
    const root = tree({ "train.py": "x", "data/huge.bin": randomBytes(20_000), "small.bin": randomBytes(100) });
    let caught: unknown;
    try {
      await packageCode(root, { maxCompressedBytes: 5000 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CodePackageTooLargeError);
    const err = caught as CodePackageTooLargeError;
    expect(err.errorCode).toBe("CODE_PACKAGE_TOO_LARGE");
    expect(err.limitBytes).toBe(5000);
    expect(err.largestFiles[0]).toMatchObject({ path: "data/huge.bin", size: 20_000 });
    expect(err.message).toMatch(/more than 4\.9 KiB after gzip.*data\/huge\.bin \(19\.5 KiB\)/);
    expect(err.suggestions.join(" ")).toMatch(/\.flowignore/);
  });

  test("refuses more than 10 MiB gzipped by default", async () => {
    const root = tree({ "checkpoint.bin": randomBytes(10 * 1024 * 1024 + 4096) });
    await expect(packageCode(root, { gzipLevel: 1 })).rejects.toThrow(CodePackageTooLargeError);
  });

  test("accepts a package just under the limit", async () => {
    const root = tree({ "blob.bin": randomBytes(4000) });
    const pkg = await packageCode(root);
    await expect(packageCode(root, { maxCompressedBytes: pkg.compressedBytes })).resolves.toMatchObject({ sha256: pkg.sha256 });
    await expect(packageCode(root, { maxCompressedBytes: pkg.compressedBytes - 1 })).rejects.toThrow(CodePackageTooLargeError);
  });

  test("says so when nothing is left to package", async () => {
    await expect(packageCode(tree({ ".git/HEAD": "x", "a.pyc": "x" }))).rejects.toThrow(/Nothing to package/);
    await expect(packageCode(tempDir())).rejects.toThrow(CodePackageError);
  });

  test("says so when the directory is missing or is a file", async () => {
    await expect(packageCode(join(tempDir(), "missing"))).rejects.toThrow(/Cannot package .*missing/);
    const root = tree({ "f.txt": "x" });
    await expect(packageCode(join(root, "f.txt"))).rejects.toThrow(/not a directory/);
  });
});
