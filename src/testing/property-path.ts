// `ignoreChanges` paths (`tags`, `spec.size`, `ports[0]`, `labels["a.b"]`), as the Pulumi engine
// applies them: before Diff, the new inputs take the old value at each path.
import { LocalEngineError } from "./errors";
import { isObject, isSecret, type PropertyMap, type PropertyValue } from "./property-values";

type Segment = string | number;

const SEGMENT = /([^.[\]"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|(\.)/g;

export function parsePropertyPath(path: string): Segment[] {
  const segments: Segment[] = [];
  let consumed = 0;
  for (const m of path.matchAll(SEGMENT)) {
    if (m.index !== consumed) {
      break;
    }
    consumed += m[0].length;
    if (m[1] !== undefined) {
      segments.push(m[1]);
    } else if (m[2] !== undefined) {
      segments.push(Number(m[2]));
    } else if (m[3] !== undefined) {
      segments.push(m[3].replace(/\\(.)/g, "$1"));
    }
  }
  if (consumed !== path.length || segments.length === 0 || path.includes("*")) {
    throw new LocalEngineError(
      `ignoreChanges path "${path}" is not supported: use property names separated by dots, ` +
        `list indexes like "ports[0]" and quoted keys like 'labels["a.b"]' (no wildcards).`,
    );
  }
  return segments;
}

function getAt(value: PropertyValue | undefined, segments: readonly Segment[]): PropertyValue | undefined {
  let current = value;
  for (const s of segments) {
    if (isSecret(current)) {
      current = current.value;
    }
    if (typeof s === "number" ? !Array.isArray(current) : !isObject(current)) {
      return undefined;
    }
    current = (current as Record<string | number, PropertyValue>)[s];
  }
  return current;
}

function setAt(root: PropertyMap, segments: readonly Segment[], value: PropertyValue | undefined): void {
  let container: PropertyMap | PropertyValue[] = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i];
    const next: PropertyValue | undefined = (container as Record<string | number, PropertyValue>)[key];
    if (value === undefined && !(isObject(next) || Array.isArray(next))) {
      return;
    }
    const copy: PropertyMap | PropertyValue[] = Array.isArray(next)
      ? [...next]
      : isObject(next)
        ? { ...next }
        : typeof segments[i + 1] === "number"
          ? []
          : {};
    (container as Record<string | number, PropertyValue>)[key] = copy;
    container = copy;
  }
  const last = segments[segments.length - 1];
  if (value === undefined) {
    if (Array.isArray(container) && typeof last === "number") {
      container.splice(last, 1);
    } else {
      delete (container as Record<string | number, PropertyValue>)[last];
    }
  } else {
    (container as Record<string | number, PropertyValue>)[last] = value;
  }
}

/** New inputs where every ignored path keeps its old value (or stays absent if it had none). */
export function applyIgnoreChanges(
  oldInputs: PropertyMap,
  newInputs: PropertyMap,
  paths: readonly string[],
): PropertyMap {
  const result: PropertyMap = { ...newInputs };
  for (const path of paths) {
    const segments = parsePropertyPath(path);
    setAt(result, segments, getAt(oldInputs, segments));
  }
  return result;
}
