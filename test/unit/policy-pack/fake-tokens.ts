// Credential-shaped strings generated at run time, so that no token-like literal sits in the
// repository for secret scanners to trip over. Deterministic: the same seed gives the same string.
export function fakeToken(charset: string, length: number, seed: number): string {
  const chars = expand(charset);
  let state = (seed * 2654435761) >>> 0 || 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out += chars[state % chars.length];
  }
  return out;
}

function expand(charset: string): string {
  return charset.replace(/(.)-(.)/g, (_, a: string, b: string) => {
    let s = "";
    for (let c = a.charCodeAt(0); c <= b.charCodeAt(0); c++) s += String.fromCharCode(c);
    return s;
  });
}
