// Region state: for each region, the incidents active there now. Derived only from committed
// incidents; rebuilt at start from the store and after every committed change, then served as
// prepared JSON so a GET costs a map lookup. An alert on a region covers all its descendants.
import { createHash } from 'node:crypto';
import type { RegionTree } from '../geo/types.ts';
import type { IncidentRecord } from '../store/store.ts';
import { TocsinError } from './errors.ts';
import type { PreparedJson, RegionStateEntry } from './types.ts';

export interface RegionState {
  /** Applies an incident as committed at `seq` (older than what is known is ignored). */
  apply(incident: IncidentRecord, seq: number, nowMs: number): void;
  /** Replaces everything (start-up). */
  reset(active: IncidentRecord[], seq: number, nowMs: number): void;
  all(): PreparedJson;
  of(code: string): PreparedJson;
  /** The active entries of a region (for tests and snapshots). */
  entries(code: string): RegionStateEntry[];
  activeIncidentCount(): number;
}

const ENDED_REMEMBERED = 10_000;

export function createRegionState(tree: RegionTree): RegionState {
  const active = new Map<string, { incident: IncidentRecord; seq: number }>();
  // Incidents that ended recently: a late, older view of one never brings it back. Bounded: a
  // late view arrives within moments (out-of-order commits, bus echo), not after thousands of ends.
  const ended = new Set<string>();
  let byRegion = new Map<string, RegionStateEntry[]>();
  let allPrepared = prepare('{"regions":{}}', 0, 0);
  const regionPrepared = new Map<string, PreparedJson>();
  let seqNow = 0;
  let changedMs = 0;
  // Rebuilt on the next read, not on every event: a burst of N alerts costs one rebuild, not N
  // (300 concurrent issues spent 330 of 520 ms rebuilding before this).
  let dirtySinceMs: number | null = null;
  const fresh = () => {
    if (dirtySinceMs !== null) {
      const at = dirtySinceMs;
      dirtySinceMs = null;
      rebuild(at);
    }
  };

  function rebuild(nowMs: number): void {
    const next = new Map<string, RegionStateEntry[]>();
    const incidents = [...active.values()]
      .map((v) => v.incident)
      .sort((a, b) => a.startedMs - b.startedMs || (a.id < b.id ? -1 : 1));
    for (const incident of incidents) {
      for (const link of incident.regions) {
        const entry: RegionStateEntry = {
          incident: incident.id,
          alert: incident.currentAlertId,
          event: incident.eventType,
          status: incident.status,
          since: incident.since,
          region: link.code,
          coverage: link.coverage,
          whole: link.whole,
        };
        const reached = tree.has(link.code)
          ? [link.code, ...tree.descendants(link.code).map((r) => r.code)]
          : [link.code];
        for (const code of reached) {
          const list = next.get(code);
          if (list) list.push(entry);
          else next.set(code, [entry]);
        }
      }
    }
    const touched = new Set([...byRegion.keys(), ...next.keys()]);
    for (const code of touched) {
      const before = regionPrepared.get(code);
      const body = regionBody(code, next.get(code) ?? []);
      if (before?.body !== body) regionPrepared.set(code, prepare(body, seqNow, nowMs));
      else regionPrepared.set(code, { ...before, seq: seqNow });
    }
    byRegion = next;
    const allBody = JSON.stringify({
      regions: Object.fromEntries([...next.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    });
    if (allBody !== allPrepared.body) {
      changedMs = nowMs;
      allPrepared = prepare(allBody, seqNow, changedMs);
    } else allPrepared = { ...allPrepared, seq: seqNow };
  }

  return {
    apply(incident, seq, nowMs) {
      seqNow = Math.max(seqNow, seq);
      const known = active.get(incident.id);
      if (ended.has(incident.id) || (known && known.seq >= seq)) return;
      if (incident.endedMs !== null) {
        ended.add(incident.id);
        if (ended.size > ENDED_REMEMBERED) ended.delete(ended.values().next().value as string);
        active.delete(incident.id);
      } else active.set(incident.id, { incident, seq });
      dirtySinceMs = nowMs;
    },
    reset(incidents, seq, nowMs) {
      active.clear();
      ended.clear();
      seqNow = seq;
      for (const incident of incidents)
        if (incident.endedMs === null) active.set(incident.id, { incident, seq });
      dirtySinceMs = null;
      // A (re)start is a change: Last-Modified is never older than the state it describes.
      regionPrepared.clear();
      byRegion = new Map();
      rebuild(nowMs);
      changedMs = nowMs;
      allPrepared = prepare(allPrepared.body, seqNow, nowMs);
    },
    all: () => {
      fresh();
      return allPrepared;
    },
    of(code) {
      fresh();
      const prepared = regionPrepared.get(code);
      if (prepared) return prepared;
      if (!tree.has(code))
        throw new TocsinError('REGION_NOT_FOUND', `No region with code ${JSON.stringify(code.slice(0, 64))}`);
      const quiet = prepare(regionBody(code, []), seqNow, changedMs);
      regionPrepared.set(code, quiet);
      return quiet;
    },
    entries: (code) => {
      fresh();
      return byRegion.get(code) ?? [];
    },
    activeIncidentCount: () => active.size,
  };
}

function regionBody(code: string, entries: RegionStateEntry[]): string {
  return JSON.stringify({ region: code, active: entries.length > 0, alerts: entries });
}

function prepare(body: string, seq: number, modifiedMs: number): PreparedJson {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, etag, lastModified: new Date(modifiedMs).toUTCString(), seq };
}
