// A small real world for stream tests: a region tree (the real createRegionTree), an event log
// with retention, the real in-process bus, a region state view, a real Ed25519 signer, a
// Fastify app on port 0 with the streams attached, and SSE / WebSocket clients that parse
// frames and let a test wait for a message (never for time).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { signEvent, type UnsignedEvent } from '../../src/alerts/event-signing.ts';
import type { Bus } from '../../src/bus/bus.ts';
import { createMemoryBus } from '../../src/bus/memory.ts';
import type { StreamHub } from '../../src/delivery/stream/hub.ts';
import { createStreamHub } from '../../src/delivery/stream/hub.ts';
import type {
  CommittedEvent,
  EventLog,
  StateEntry,
  StateView,
  StreamOptions,
} from '../../src/delivery/stream/types.ts';
import { createRegionTree } from '../../src/geo/region-tree.ts';
import type { RegionRecord, RegionTree } from '../../src/geo/types.ts';
import { attachStreams } from '../../src/http/routes/stream.ts';

const square = (lon: number, lat: number, size: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ] as [number, number][],
  ],
});

/** UA → UA-59 (→ UA-59-01, UA-59-02), UA-63, UA-32; squares so points resolve exactly. */
export const TEST_REGIONS: RegionRecord[] = [
  { code: 'UA', parent: null, level: 'country', names: { en: 'Ukraine' } },
  { code: 'UA-59', parent: 'UA', level: 'oblast', names: { en: 'Sumy' }, geometry: square(33, 50, 2) },
  {
    code: 'UA-59-01',
    parent: 'UA-59',
    level: 'raion',
    names: { en: 'Sumy raion' },
    geometry: square(34, 51, 1),
  },
  {
    code: 'UA-59-02',
    parent: 'UA-59',
    level: 'raion',
    names: { en: 'Konotop raion' },
    geometry: square(33, 50, 1),
  },
  { code: 'UA-63', parent: 'UA', level: 'oblast', names: { en: 'Kharkiv' }, geometry: square(35, 48, 2) },
  { code: 'UA-32', parent: 'UA', level: 'oblast', names: { en: 'Kyiv oblast' }, geometry: square(29, 49, 2) },
];

export function testTree(): RegionTree {
  return createRegionTree(TEST_REGIONS);
}

/** The event log: an array, with a retention cut for `reset` tests. */
export class MemoryLog implements EventLog {
  events: CommittedEvent[] = [];
  oldest = 1;
  async readEvents(afterSeq: number, limit: number) {
    return this.events.filter((e) => e.seq > afterSeq && e.seq >= this.oldest).slice(0, limit);
  }
  async latestSeq() {
    return this.events.at(-1)?.seq ?? 0;
  }
  async oldestRetainedSeq() {
    return this.oldest;
  }
  /** Drops every event below `seq` (as a retention job would). */
  prune(seq: number) {
    this.oldest = seq;
  }
}

interface Incident {
  id: string;
  event: string;
  status: string;
  region: string;
}

/** Region state the way the alert service keeps it: own entries plus inherited ones. */
export class MemoryState implements StateView {
  incidents = new Map<string, Incident>();
  current = 0;
  private readonly tree: RegionTree;
  constructor(tree: RegionTree) {
    this.tree = tree;
  }
  seq() {
    return this.current;
  }
  activeCodes() {
    return [...new Set([...this.incidents.values()].map((i) => i.region))];
  }
  entries(code: string): StateEntry[] {
    return [...this.incidents.values()]
      .filter((i) => this.tree.covers(i.region, code))
      .map((i) => ({
        event: i.event,
        status: i.status,
        whole: true,
        detail: { incident: i.id, event: i.event, region: i.region, status: i.status },
      }));
  }
}

export interface TestKeys {
  kid: string;
  privateKey: KeyObject;
  publicKeys: Map<string, KeyObject>;
}

export function testKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid: 'test-1', privateKey, publicKeys: new Map([['test-1', publicKey]]) };
}

export interface World {
  tree: RegionTree;
  log: MemoryLog;
  state: MemoryState;
  bus: Bus;
  keys: TestKeys;
  hub: StreamHub;
  app: FastifyInstance;
  port: number;
  /** Commits an event (log, state), then publishes it, as the alert service does. */
  publish(input: PublishInput): Promise<number>;
  close(): Promise<void>;
}

export interface PublishInput {
  type?: 'alert.issued' | 'alert.ended' | 'alert.updated';
  regions: string[];
  event?: string;
  status?: string;
  incident?: string;
  /** Extra text to make the event bigger (slow-consumer tests). */
  padding?: string;
}

export async function startWorld(
  options: Partial<StreamOptions> = {},
  shared?: Pick<World, 'log' | 'state' | 'bus' | 'keys'>,
): Promise<World> {
  const tree = testTree();
  const log = shared?.log ?? new MemoryLog();
  const state = shared?.state ?? new MemoryState(tree);
  const bus = shared?.bus ?? createMemoryBus();
  const keys = shared?.keys ?? testKeys();
  const sign = (unsigned: Record<string, unknown>) =>
    JSON.stringify(
      signEvent(unsigned as unknown as UnsignedEvent, { kid: keys.kid, privateKey: keys.privateKey }),
    );
  const hub = createStreamHub({ tree, bus, log, state, sign, options: { heartbeatMs: 60_000, ...options } });
  const app = Fastify();
  await attachStreams(app, hub, tree);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  let incidentCounter = 0;
  return {
    tree,
    log,
    state,
    bus,
    keys,
    hub,
    app,
    port,
    async publish(input) {
      const seq = ((await log.latestSeq()) as number) + 1;
      const type = input.type ?? 'alert.issued';
      const incident = input.incident ?? `inc-${seq}-${++incidentCounter}`;
      const status = input.status ?? 'Actual';
      const event = input.event ?? 'air_raid';
      const unsigned: UnsignedEvent = {
        seq,
        id: `evt-${seq}`,
        type,
        time: new Date().toISOString(),
        regions: input.regions,
        alert: {
          identifier: incident,
          status,
          info: [
            {
              eventCode: [{ valueName: 'TOCSIN', value: event }],
              ...(input.padding ? { description: input.padding } : {}),
            },
          ],
        },
      };
      const json = JSON.stringify(signEvent(unsigned, { kid: keys.kid, privateKey: keys.privateKey }));
      log.events.push({ seq, json });
      for (const region of input.regions) {
        const key = `${incident}@${region}`;
        if (type === 'alert.ended') state.incidents.delete(key);
        else state.incidents.set(key, { id: incident, event, status, region });
      }
      state.current = seq;
      await bus.publish({ seq, id: `evt-${seq}`, type, regions: input.regions, json });
      return seq;
    },
    async close() {
      await app.close();
    },
  };
}

// ---- clients ----

export interface Message {
  /** SSE event name, or the JSON `type` of a WebSocket message ('' for compact lines). */
  event: string;
  id?: string;
  data: string;
}

/** Collects messages and lets a test await the first one that matches. */
export class Inbox {
  messages: Message[] = [];
  closed = false;
  closeInfo: { code?: number; reason?: string } = {};
  private waiters: {
    predicate: (m: Message) => boolean;
    resolve: (m: Message) => void;
    reject: (e: Error) => void;
  }[] = [];
  private closeWaiters: (() => void)[] = [];

  push(message: Message) {
    this.messages.push(message);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(message)) return true;
      w.resolve(message);
      return false;
    });
  }

  markClosed(info: { code?: number; reason?: string } = {}) {
    this.closed = true;
    this.closeInfo = info;
    for (const w of this.waiters)
      w.reject(new Error(`stream closed while waiting (${JSON.stringify(info)})`));
    this.waiters = [];
    for (const resolve of this.closeWaiters) resolve();
    this.closeWaiters = [];
  }

  /** The first message (already received or still to come) that matches. */
  next(predicate: (m: Message) => boolean, from = 0): Promise<Message> {
    const found = this.messages.slice(from).find(predicate);
    if (found) return Promise.resolve(found);
    if (this.closed) return Promise.reject(new Error('stream already closed'));
    return new Promise((resolve, reject) => this.waiters.push({ predicate, resolve, reject }));
  }

  untilClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Seqs of the alert events received, in order. */
  alertSeqs(): number[] {
    return this.messages
      .filter((m) => m.event.startsWith('alert.'))
      .map((m) => (JSON.parse(m.data) as { seq: number }).seq);
  }

  json(event: string): Record<string, unknown>[] {
    return this.messages
      .filter((m) => m.event === event)
      .map((m) => JSON.parse(m.data) as Record<string, unknown>);
  }
}

export interface SseClient {
  inbox: Inbox;
  response: IncomingMessage;
  close(): void;
  /** The last `id:` seen (what EventSource would send as Last-Event-ID). */
  lastEventId(): string | undefined;
}

/** Opens an SSE stream; rejects with the status and body when the server refuses it. */
export function openSse(
  port: number,
  query = '',
  headers: Record<string, string> = {},
  sourceAddress?: string,
): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: `/v1/stream${query ? `?${query}` : ''}`,
        headers: { accept: 'text/event-stream', ...headers },
        ...(sourceAddress ? { localAddress: sourceAddress } : {}),
      },
      (response) => {
        if (response.statusCode !== 200) {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () =>
            reject(
              Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode, body }),
            ),
          );
          return;
        }
        const inbox = new Inbox();
        let buffer = '';
        let lastId: string | undefined;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const message: Message = { event: 'message', data: '' };
            const data: string[] = [];
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'event') message.event = value;
              else if (field === 'id') message.id = value;
              else if (field === 'data') data.push(value);
            }
            if (data.length === 0) continue;
            message.data = data.join('\n');
            if (message.id !== undefined) lastId = message.id;
            inbox.push(message);
          }
        });
        response.on('close', () => inbox.markClosed());
        response.on('error', () => inbox.markClosed());
        resolve({ inbox, response, close: () => req.destroy(), lastEventId: () => lastId });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export interface WsClient {
  inbox: Inbox;
  ws: WebSocket;
  close(): void;
}

/** Opens a WebSocket stream; rejects with the status and body when the upgrade is refused. */
export function openWs(port: number, query = '', localAddress?: string): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/stream${query ? `?${query}` : ''}`, {
      perMessageDeflate: false,
      ...(localAddress ? { localAddress } : {}),
    });
    const inbox = new Inbox();
    ws.on('message', (data) => {
      const text = data.toString();
      let event = '';
      try {
        const parsed = JSON.parse(text) as { type?: unknown };
        if (typeof parsed.type === 'string') event = parsed.type;
      } catch {
        // compact lines are not JSON
      }
      inbox.push({ event, data: text });
    });
    ws.on('close', (code, reason) => inbox.markClosed({ code, reason: reason.toString() }));
    ws.on('unexpected-response', (_req, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () =>
        reject(
          Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode, body }),
        ),
      );
    });
    ws.on('error', reject);
    ws.on('open', () => resolve({ inbox, ws, close: () => ws.terminate() }));
  });
}
