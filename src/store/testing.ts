// A minimal issued-alert change for tests and benchmarks of the store and the bus, which need
// committed events but not the lifecycle that makes them.
import type { AlertCommit } from './store.ts';

const SENT = '2026-03-01T10:42:00+02:00';
const SENT_MS = Date.parse(SENT);

export interface IssuedChangeOptions {
  /** Regions the alert and its event concern (default `UA-59`). */
  regions?: string[];
  /** The stored event JSON for a seq (default `{ seq, id: 'ev-<id>' }`). */
  json?: (seq: number) => string;
}

/** One change that inserts an issued alert `id`, opens its incident and appends `alert.issued`. */
export function issuedAlertChange(id: string, options: IssuedChangeOptions = {}): AlertCommit {
  const codes = options.regions ?? ['UA-59'];
  const links = codes.map((code) => ({ code, coverage: 1, whole: true }));
  const json = options.json ?? ((seq: number) => JSON.stringify({ seq, id: `ev-${id}` }));
  return {
    insertAlert: {
      id,
      incidentId: id,
      state: 'issued',
      eventType: 'air_raid',
      status: 'Actual',
      msgType: 'Alert',
      sent: SENT,
      sentMs: SENT_MS,
      expiresMs: null,
      authorId: 'op-1',
      approverId: null,
      cap: {
        identifier: id,
        sender: 's',
        sent: SENT,
        status: 'Actual',
        msgType: 'Alert',
        scope: 'Public',
        code: [],
        info: [],
      },
      xml: `<alert>${id}</alert>`,
      regions: links,
    },
    incident: {
      id,
      eventType: 'air_raid',
      status: 'Actual',
      currentAlertId: id,
      regions: links,
      since: SENT,
      startedMs: SENT_MS,
      endedMs: null,
      endReason: null,
    },
    event: (seq) => ({
      id: `ev-${id}`,
      type: 'alert.issued',
      timeMs: SENT_MS,
      regions: codes,
      json: json(seq),
    }),
  };
}
