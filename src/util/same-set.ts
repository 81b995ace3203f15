// Whether two lists of IDs hold the same members, in any order (a bid's SSH keys, its volumes).

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}
