// Dynamic-provider outputs must be plain JSON: no `undefined`, Date or class instances.

export function plainJson<T extends Record<string, unknown>>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
