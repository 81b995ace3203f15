// Dependency order over resources: creation order for the state file, and the reverse for
// deletes, where a resource goes only after everything that depends on it is gone.
import { ConcurrencyLimiter } from "../util/semaphore";

export interface GraphNode {
  urn: string;
}

/**
 * Items ordered so each comes after the items it depends on, keeping the given order wherever
 * dependencies allow. Several items may share a URN (a replaced resource awaiting delete).
 */
export function dependencyOrder<T extends GraphNode>(items: readonly T[], depsOf: (item: T) => readonly string[]): T[] {
  const byUrn = new Map<string, T[]>();
  for (const item of items) {
    byUrn.set(item.urn, [...(byUrn.get(item.urn) ?? []), item]);
  }
  const placed = new Set<T>();
  const visiting = new Set<T>();
  const order: T[] = [];
  const visit = (item: T): void => {
    if (placed.has(item) || visiting.has(item)) {
      return;
    }
    visiting.add(item);
    for (const dep of depsOf(item)) {
      for (const target of byUrn.get(dep) ?? []) {
        if (target !== item) {
          visit(target);
        }
      }
    }
    visiting.delete(item);
    placed.add(item);
    order.push(item);
  };
  items.forEach(visit);
  return order;
}

/**
 * Runs `fn` on every item, each only after all items that depend on it have finished, with at
 * most `parallel` at once. After the first failure no new item starts; running ones finish.
 * Returns the errors (empty when every item succeeded).
 */
export async function forEachInReverseDependencyOrder<T extends GraphNode>(
  items: readonly T[],
  depsOf: (item: T) => readonly string[],
  parallel: number,
  fn: (item: T) => Promise<void>,
): Promise<Error[]> {
  // blockers.get(x): items that depend on x and so must go first.
  const blockers = new Map<T, Set<T>>(items.map((i) => [i, new Set<T>()]));
  for (const dependent of items) {
    const deps = new Set(depsOf(dependent));
    for (const item of items) {
      if (item !== dependent && deps.has(item.urn)) {
        blockers.get(item)?.add(dependent);
      }
    }
  }
  const limiter = new ConcurrencyLimiter(parallel, "parallel");
  const errors: Error[] = [];
  const pending = new Set(items);
  const running = new Set<Promise<void>>();

  const launchReady = (): void => {
    for (const item of [...pending]) {
      if (errors.length > 0) {
        return;
      }
      if (blockers.get(item)?.size === 0) {
        pending.delete(item);
        const p: Promise<void> = limiter
          .run(async () => {
            // Queued before a failure, started after it: leave it undone.
            if (errors.length > 0) {
              return false;
            }
            try {
              await fn(item);
              return true;
            } catch (err) {
              // Recorded before the slot passes on, so the next queued item sees it.
              errors.push(err instanceof Error ? err : new Error(String(err)));
              return false;
            }
          })
          .then((ran) => {
            if (ran) {
              for (const set of blockers.values()) {
                set.delete(item);
              }
            }
          })
          .finally(() => running.delete(p));
        running.add(p);
      }
    }
  };

  launchReady();
  while (running.size > 0) {
    await Promise.race(running);
    launchReady();
    if (running.size === 0 && pending.size > 0 && errors.length === 0) {
      // Only a dependency cycle (which Pulumi programs cannot build) leaves nothing ready: break it in order.
      const [first] = pending;
      blockers.get(first)?.clear();
      launchReady();
    }
  }
  return errors;
}
