// The MQTT channel (issue 8 §2): for sirens, IoT boards and Home Assistant. On every connect it
// announces itself (`online`, retained; `offline` is its last will), writes the Home Assistant
// discovery configs and every region's state, all retained, so a fresh subscriber or a broker
// that lost its retained store is whole again. Then it reads the event log from its durable
// cursor: each public event goes to <prefix>/v1/events/<code> at QoS 1 for the regions it
// concerns and their descendants, and the retained state of those regions is rewritten. The
// cursor advances only after the broker acknowledged every publish (PUBACK), so events published
// while the broker was down arrive after it returns.
import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { PUBLIC_EVENT_TYPES } from '../../alerts/events.ts';
import type { PreparedJson } from '../../alerts/types.ts';
import type { Bus } from '../../bus/bus.ts';
import type { EventTypeDefinition } from '../../cap/profiles/event-types.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { CursorStore } from '../../store/cursor-store.ts';
import type { EventRecord } from '../../store/store.ts';
import { type ChannelCursor, type EventLog, startChannelCursor } from './cursor.ts';
import { discoveryMessage, mqttStateOf, mqttTopics } from './mqtt-topics.ts';

export interface MqttChannelLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface MqttChannelDeps {
  /** mqtt://host:port or mqtts://...; credentials in the URL (user:password@) are used. */
  url: string;
  topicPrefix: string;
  /** Home Assistant discovery prefix; empty turns discovery off. */
  discoveryPrefix: string;
  /** Discovery sensors for regions down to this depth of the tree. */
  discoveryMaxDepth: number;
  /** Empty or absent: `tocsin-<random>`. */
  clientId?: string;
  tree: RegionTree;
  eventTypes: readonly EventTypeDefinition[];
  /** The alert service's `stateOf`: one region's current state, prepared. */
  stateOf: (code: string) => PreparedJson;
  cursors: CursorStore;
  events: EventLog;
  bus: Pick<Bus, 'subscribe'>;
  /** The cursor's row (default `mqtt`). */
  channel?: string;
  log?: MqttChannelLog;
  /** Delay between reconnect attempts (default 1 s). */
  reconnectMs?: number;
}

export interface MqttChannel {
  /** True while connected to the broker. */
  connected(): boolean;
  /** Resolves once every event up to `seq` (default: the log's latest now) has been acknowledged by the broker. */
  caughtUp(seq?: number): Promise<void>;
  /** Resolves once the current connection has announced status, discovery and state (waits for one if offline). */
  announced(): Promise<void>;
  /** Publishes `offline`, stops reading, and disconnects. */
  stop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_RECONNECT_MS = 1_000;
const QOS1 = { qos: 1 } as const;
const RETAINED = { qos: 1, retain: true } as const;

/** Connects (in the background: the hub starts while the broker is away) and starts reading from the cursor. */
export async function startMqttChannel(deps: MqttChannelDeps): Promise<MqttChannel> {
  const { tree } = deps;
  const topics = mqttTopics(deps.topicPrefix);
  const log = deps.log;
  const client: MqttClient = connect(deps.url, {
    clientId: deps.clientId || `tocsin-${randomBytes(6).toString('hex')}`,
    clean: true,
    reconnectPeriod: deps.reconnectMs ?? DEFAULT_RECONNECT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    will: { topic: topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
  });
  // What each retained state topic holds since this connection began: unchanged states are not rewritten.
  let written = new Map<string, string>();
  let announcing: Promise<void> | undefined;
  let announceWaiters: (() => void)[] = [];
  // True once this connection has announced status, discovery and state; false while offline.
  let isAnnounced = false;

  const discovery = deps.discoveryPrefix
    ? tree
        .all()
        .filter((region) => region.depth <= deps.discoveryMaxDepth)
        .flatMap((region) =>
          deps.eventTypes.map((type) =>
            discoveryMessage(deps.discoveryPrefix, deps.topicPrefix, region, type),
          ),
        )
    : [];

  const writeState = (code: string): Promise<unknown> | undefined => {
    const body = mqttStateOf(tree.get(code), code, deps.stateOf(code));
    if (written.get(code) === body) return undefined;
    written.set(code, body);
    return client.publishAsync(topics.state(code), body, RETAINED).catch((error: unknown) => {
      written.delete(code);
      throw error;
    });
  };

  const announce = async (): Promise<void> => {
    written = new Map();
    await Promise.all([
      client.publishAsync(topics.status, 'online', RETAINED),
      ...discovery.map((m) => client.publishAsync(m.topic, m.payload, RETAINED)),
      ...tree.all().map((region) => writeState(region.code)),
    ]);
  };

  const handle = async (batch: EventRecord[]): Promise<void> => {
    // Fail fast while offline: the cursor retries from the same seq, and `connect` pokes it.
    if (!client.connected) throw new Error('MQTT broker not connected');
    const pending: Promise<unknown>[] = [];
    const touched = new Set<string>();
    for (const event of batch) {
      if (!PUBLIC_EVENT_TYPES.has(event.type)) continue;
      for (const code of reach(tree, event.regions)) {
        // In log order on one connection: the broker keeps that order per topic (MQTT 3.1.1 §4.6).
        pending.push(client.publishAsync(topics.events(code), event.json, QOS1));
        touched.add(code);
      }
    }
    for (const code of touched) {
      if (tree.has(code)) {
        const stateWrite = writeState(code);
        if (stateWrite) pending.push(stateWrite);
      }
    }
    await Promise.all(pending);
  };

  // Listening before the first await: on a fast broker the connection is up while the cursor
  // still reads its position (measured on PostgreSQL), and a missed `connect` never announced.
  let cursor: ChannelCursor | undefined;
  client.on('connect', () => {
    log?.info({ url: redact(deps.url) }, 'MQTT connected');
    const run = announce()
      .then(() => {
        isAnnounced = client.connected;
        const waiters = announceWaiters;
        announceWaiters = [];
        for (const resolve of waiters) resolve();
      })
      .catch((error: unknown) =>
        log?.warn({ err: error }, 'MQTT announce failed; repeated on the next connect'),
      );
    announcing = run;
    cursor?.poke();
  });
  client.on('close', () => {
    isAnnounced = false;
    log?.warn({ url: redact(deps.url) }, 'MQTT connection closed; reconnecting');
  });
  client.on('error', (error) => log?.warn({ err: error }, 'MQTT error'));

  cursor = await startChannelCursor({
    channel: deps.channel ?? 'mqtt',
    cursors: deps.cursors,
    events: deps.events,
    bus: deps.bus,
    handle,
    onError: (error, context) => log?.warn({ err: error, ...context }, 'MQTT delivery paused; retrying'),
    onGap: (gap) => log?.warn(gap, 'MQTT channel: events pruned before delivery'),
  });

  return {
    connected: () => client.connected,
    caughtUp: (seq) => cursor.caughtUp(seq),
    announced: () =>
      isAnnounced
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            announceWaiters.push(resolve);
          }),
    async stop() {
      const stopping = cursor.stop();
      if (!client.connected) {
        // Offline: end now, so a batch waiting for the broker is released instead of awaited.
        await client.endAsync(true);
        await stopping.catch(() => undefined);
        return;
      }
      await stopping;
      await announcing;
      await client.publishAsync(topics.status, 'offline', RETAINED).catch(() => undefined);
      await client.endAsync();
    },
  };
}

/** The regions an event reaches: its own and all their descendants (an alert covers what lies below). */
export function reach(tree: RegionTree, regions: readonly string[]): string[] {
  const out = new Set<string>();
  for (const code of regions) {
    out.add(code);
    if (tree.has(code)) for (const below of tree.descendants(code)) out.add(below.code);
  }
  return [...out];
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'invalid URL';
  }
}
