// packageCode's ignore handling against git itself: for the same tree, the files packaged are
// the files `git ls-files --others --exclude-standard` would add.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageCode } from "../../../src/startup";
import { rebaseIgnoreLine } from "../../../src/startup/package-code";

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(join(tmpdir(), "ignore-vs-git-"));
  roots.push(root);
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(join(root, p, ".."), { recursive: true });
    fs.writeFileSync(join(root, p), content);
  }
  return root;
}

function gitWouldAdd(root: string): string[] {
  const init = spawnSync("git", ["init", "-q", root], { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`git init failed: ${init.stderr}`);
  const r = spawnSync("git", ["-C", root, "-c", "core.excludesFile=/dev/null", "ls-files", "--others", "--exclude-standard", "-z"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout.split("\0").filter(Boolean).sort();
}

const cases: [string, Record<string, string>][] = [
  [
    "anchored, unanchored, negated and directory patterns",
    {
      ".gitignore": "*.log\n!keep.log\n/build\nout/\ndocs/*.md\n!docs/index.md\n**/cache/**\n\\#literal\n",
      "a.log": "", "keep.log": "", "sub/keep.log": "", "sub/b.log": "",
      "build/x": "", "src/build/y": "", "out/z": "", "src/out/z": "",
      "docs/a.md": "", "docs/index.md": "", "docs/deep/c.md": "",
      "x/cache/d": "", "cache/e": "", "#literal": "", "train.py": "",
    },
  ],
  [
    "nested ignore files, deeper rules winning",
    {
      ".gitignore": "*.tmp\ngenerated/\n",
      "a.tmp": "", "pkg/.gitignore": "!*.tmp\n/local.txt\nnested/\n", "pkg/b.tmp": "", "pkg/local.txt": "",
      "pkg/sub/local.txt": "", "pkg/nested/n": "", "nested/n": "", "pkg/generated/g": "", "pkg/deep/.gitignore": "*.py\n",
      "pkg/deep/a.py": "", "pkg/deep/more/b.py": "", "pkg/c.py": "",
    },
  ],
  [
    "an excluded directory cannot be re-included from inside",
    { ".gitignore": "data/\n!data/keep.txt\n", "data/keep.txt": "", "data/drop.txt": "", "keep.txt": "" },
  ],
  [
    "directory names with glob characters",
    { "a[1]/.gitignore": "x*\n", "a[1]/xa": "", "a[1]/ya": "", "a1/xa": "", "b*/.gitignore": "/only\n", "b*/only": "", "b*/sub/only": "", "bz/only": "" },
  ],
];

describe.each(cases)("%s", (_title, files) => {
  test("packages exactly what git would add", async () => {
    const root = tree(files);
    const pkg = await packageCode(root, { defaultExcludes: false });
    const ours = pkg.files.map((f) => f.path).sort();
    expect(ours).toEqual(gitWouldAdd(root));
  });
});

describe("rebaseIgnoreLine", () => {
  test.each([
    ["*.log", "pkg", "pkg/**/*.log"],
    ["/local.txt", "pkg", "pkg/local.txt"],
    ["docs/*.md", "pkg", "pkg/docs/*.md"],
    ["out/", "pkg", "pkg/**/out/"],
    ["!keep.log", "pkg", "!pkg/**/keep.log"],
    ["# comment", "pkg", "# comment"],
    ["", "pkg", ""],
    ["x", "a[1]", "a\\[1\\]/**/x"],
    ["x", "!odd", "\\!odd/**/x"],
    ["*.log", "", "*.log"],
  ])("%j in %j becomes %j", (line, base, expected) => {
    expect(rebaseIgnoreLine(line, base)).toBe(expected);
  });
});
