// The region-indexed registry of subscribers. A subscriber to region R hears events on R, on
// R's ancestors and on R's descendants (DESIGN.md: an alert for a region covers its descendants).
// Indexed so that an event on X costs a walk up X's short chain, never a walk over the subtree:
//   exact[R]  subscribers of R itself
//   below[A]  subscribers of some region strictly below A
// matches(X) = everyone ∪ exact[X] ∪ exact[each ancestor of X] ∪ below[X].
import type { StreamTree } from './types.ts';

export interface Registered {
  readonly codes: readonly string[] | null;
  /** The last seq this subscriber was visited for: one visit per event even if it matches twice. */
  mark: number;
}

export interface Registry<S extends Registered> {
  add(subscriber: S): void;
  remove(subscriber: S): void;
  /** Calls `visit` once for each subscriber matching an event on `regions`. */
  forEachMatch(seq: number, regions: readonly string[], visit: (subscriber: S) => void): void;
  all(): IterableIterator<S>;
  readonly size: number;
}

/** The slow, obvious form of the same rule, for replays and tests. */
export function subscriptionMatches(
  tree: StreamTree,
  codes: readonly string[] | null,
  regions: readonly string[],
): boolean {
  if (codes === null) return true;
  return regions.some((region) =>
    codes.some((code) => tree.covers(region, code) || tree.covers(code, region)),
  );
}

export function createRegistry<S extends Registered>(tree: StreamTree): Registry<S> {
  const everyone = new Set<S>();
  const exact = new Map<string, Set<S>>();
  const below = new Map<string, Set<S>>();
  const members = new Set<S>();

  const put = (index: Map<string, Set<S>>, code: string, subscriber: S) => {
    let set = index.get(code);
    if (!set) {
      set = new Set();
      index.set(code, set);
    }
    set.add(subscriber);
  };
  const take = (index: Map<string, Set<S>>, code: string, subscriber: S) => {
    const set = index.get(code);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) index.delete(code);
  };
  const eachIndexEntry = (subscriber: S, fn: (index: Map<string, Set<S>>, code: string) => void) => {
    for (const code of subscriber.codes ?? []) {
      fn(exact, code);
      for (const ancestor of tree.ancestors(code)) fn(below, ancestor.code);
    }
  };

  return {
    add(subscriber) {
      members.add(subscriber);
      if (subscriber.codes === null) everyone.add(subscriber);
      else eachIndexEntry(subscriber, (index, code) => put(index, code, subscriber));
    },
    remove(subscriber) {
      if (!members.delete(subscriber)) return;
      if (subscriber.codes === null) everyone.delete(subscriber);
      else eachIndexEntry(subscriber, (index, code) => take(index, code, subscriber));
    },
    forEachMatch(seq, regions, visit) {
      const each = (set: Set<S> | undefined) => {
        if (!set) return;
        for (const subscriber of set) {
          if (subscriber.mark === seq) continue;
          subscriber.mark = seq;
          visit(subscriber);
        }
      };
      each(everyone);
      for (const region of regions) {
        each(exact.get(region));
        each(below.get(region));
        for (const ancestor of tree.ancestors(region)) each(exact.get(ancestor.code));
      }
    },
    all() {
      return members.values();
    },
    get size() {
      return members.size;
    },
  };
}
