// The live picture the public map keeps: the active incidents, built from a stream `snapshot`
// (or `reset`) and kept current by `alert.issued` / `alert.updated` / `alert.ended` events
// (docs/streams.md). Pure: no DOM, so node:test checks it (test/web-incidents.test.ts).

export interface Incident {
  id: string;
  alert: string;
  event: string;
  status: string;
  since: string;
  /** Codes of the regions the alert was placed on. */
  regions: string[];
}

export interface StateEntry {
  incident: string;
  alert: string;
  event: string;
  status: string;
  since: string;
  region: string;
}

export interface StreamAlert {
  id: string;
  incident: string;
  event: string;
  status: string;
  sent: string;
  since: string | null;
  regions: { code: string }[];
}

export type StreamMessage =
  | { type: 'snapshot' | 'reset'; seq: number; regions: Record<string, StateEntry[]> }
  | { type: 'alert.issued' | 'alert.updated' | 'alert.ended'; seq: number; alert: StreamAlert }
  | { type: 'heartbeat' | 'overflow' | 'shutdown'; seq: number };

export type Incidents = Map<string, Incident>;

/** The incidents of a snapshot: its entries grouped by incident. */
export function fromSnapshot(regions: Record<string, StateEntry[]>): Incidents {
  const out: Incidents = new Map();
  for (const entries of Object.values(regions)) {
    for (const e of entries) {
      let incident = out.get(e.incident);
      if (!incident) {
        incident = {
          id: e.incident,
          alert: e.alert,
          event: e.event,
          status: e.status,
          since: e.since,
          regions: [],
        };
        out.set(e.incident, incident);
      }
      if (!incident.regions.includes(e.region)) incident.regions.push(e.region);
    }
  }
  return out;
}

/** Applies one message; returns true when the picture changed. */
export function applyMessage(incidents: Incidents, message: StreamMessage): boolean {
  switch (message.type) {
    case 'snapshot':
    case 'reset': {
      incidents.clear();
      for (const [id, incident] of fromSnapshot(message.regions)) incidents.set(id, incident);
      return true;
    }
    case 'alert.issued':
    case 'alert.updated': {
      const a = message.alert;
      incidents.set(a.incident, {
        id: a.incident,
        alert: a.id,
        event: a.event,
        status: a.status,
        since: a.since ?? a.sent,
        regions: a.regions.map((r) => r.code),
      });
      return true;
    }
    case 'alert.ended':
      return incidents.delete(message.alert.incident);
    default:
      return false;
  }
}

/** Exercise, Test and System alerts are never shown as real ones (DESIGN.md). */
export function isExercise(status: string): boolean {
  return status !== 'Actual';
}

/** Event types from most to least urgent: the one a region shows when several are active. */
export const EVENT_PRIORITY = [
  'missile',
  'air_raid',
  'artillery',
  'urban_combat',
  'chemical',
  'radiation',
  'drone',
  'infrastructure',
  'power_outage',
  'other',
];

export interface RegionStatus {
  /** The incident the region shows (real before exercise, whole before partial, by urgency). */
  top: Incident | undefined;
  partial: boolean;
  all: Incident[];
}

/**
 * What a region shows: incidents placed on it or on an ancestor cover it whole; incidents
 * placed below it cover part of it. `parentOf` walks the region tree.
 */
export function statusOf(
  code: string,
  incidents: Incidents,
  parentOf: (code: string) => string | null,
): RegionStatus {
  const chainOf = (c: string) => {
    const chain: string[] = [];
    for (let at: string | null = c; at !== null && chain.length < 16; at = parentOf(at)) chain.push(at);
    return chain;
  };
  const mine = chainOf(code);
  const found: { incident: Incident; whole: boolean }[] = [];
  for (const incident of incidents.values()) {
    let whole = false;
    let part = false;
    for (const placed of incident.regions) {
      if (mine.includes(placed)) whole = true;
      else if (chainOf(placed).includes(code)) part = true;
    }
    if (whole || part) found.push({ incident, whole });
  }
  const rank = (f: { incident: Incident; whole: boolean }) =>
    (isExercise(f.incident.status) ? 1000 : 0) +
    (f.whole ? 0 : 100) +
    (EVENT_PRIORITY.indexOf(f.incident.event) + 1 || 99);
  found.sort((a, b) => rank(a) - rank(b));
  const first = found[0];
  return { top: first?.incident, partial: first ? !first.whole : false, all: found.map((f) => f.incident) };
}
