// From the hub's real parts to what the streams need: the store is the event log, the bus is
// the feed, the alert service's prepared region state is the state view, the current signing
// key signs snapshots and heartbeats. The composition root calls `streamDepsFrom(...)`, then
// `createStreamHub(deps)` and `attachStreams(app, hub, tree)` before `app.listen`.
import type { SigningKey, UnsignedEvent } from '../../alerts/event-signing.ts';
import { signEvent } from '../../alerts/event-signing.ts';
import type { PreparedJson, RegionStateEntry } from '../../alerts/types.ts';
import type { Bus } from '../../bus/bus.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { Store } from '../../store/store.ts';
import type { StateEntry, StateView, StreamDeps, StreamLog, StreamOptions } from './types.ts';

export interface StreamParts {
  tree: RegionTree;
  bus: Bus;
  store: Pick<Store, 'readEvents' | 'latestSeq' | 'oldestRetainedSeq'>;
  /** The alert service's `state()`: every region's state, prepared once per change. */
  state: () => PreparedJson;
  signingKey: () => SigningKey;
  logger?: StreamLog;
  options?: Partial<StreamOptions>;
}

export function streamDepsFrom(parts: StreamParts): StreamDeps {
  const deps: StreamDeps = {
    tree: parts.tree,
    bus: parts.bus,
    log: parts.store,
    state: stateViewOf(parts.state),
    // Hub-made messages (snapshot, reset, heartbeat) are signed the same way as events:
    // Ed25519 over the RFC 8785 form without `sig`; they carry no id, regions or alert.
    sign: (unsigned) => JSON.stringify(signEvent(unsigned as unknown as UnsignedEvent, parts.signingKey())),
  };
  if (parts.logger) deps.logger = parts.logger;
  if (parts.options) deps.options = parts.options;
  return deps;
}

/**
 * A StateView over the prepared `{ regions: { code: RegionStateEntry[] } }` document: parsed
 * once per change of its ETag (once per committed event at most), then read from memory.
 */
export function stateViewOf(read: () => PreparedJson): StateView {
  let etag = '';
  let byRegion = new Map<string, StateEntry[]>();
  let own: string[] = [];
  const current = () => {
    const prepared = read();
    if (prepared.etag !== etag) {
      etag = prepared.etag;
      const parsed = JSON.parse(prepared.body) as { regions?: Record<string, RegionStateEntry[]> };
      byRegion = new Map();
      const owners = new Set<string>();
      for (const [code, entries] of Object.entries(parsed.regions ?? {})) {
        byRegion.set(
          code,
          entries.map((entry) => ({
            event: entry.event,
            status: entry.status,
            whole: entry.whole,
            detail: entry,
          })),
        );
        for (const entry of entries) if (entry.region === code) owners.add(code);
      }
      own = [...owners];
    }
    return prepared;
  };
  return {
    seq: () => current().seq,
    activeCodes: () => {
      current();
      return own;
    },
    entries: (code) => {
      current();
      return byRegion.get(code) ?? [];
    },
  };
}
