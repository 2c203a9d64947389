// Test fixtures for the lifecycle: a small region tree, a movable clock, counting ids and a
// service on a temp-dir SQLite store with the in-process bus. Used by *.test.ts only.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bus, BusEvent } from '../bus/bus.ts';
import { createMemoryBus } from '../bus/memory.ts';
import { createRegionTree } from '../geo/region-tree.ts';
import type { RegionRecord, RegionTree } from '../geo/types.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import type { Actor } from './actor.ts';
import type { Clock, Ids } from './clock.ts';
import type { SigningKey } from './event-signing.ts';
import { neverNeedsApproval } from './policy.ts';
import { type AlertServiceDeps, createAlertService } from './service.ts';
import type { AlertService } from './types.ts';

export const T0 = Date.parse('2026-03-01T10:42:00+02:00');

/** UA → UA-59 (Sumy) → UA-59-01 (a synthetic raion) and UA-59-01-01 (a hromada); UA-63 (Kharkiv). */
export const TEST_REGIONS: RegionRecord[] = [
  { code: 'UA', parent: null, level: 'country', names: { uk: 'Україна', en: 'Ukraine' } },
  { code: 'UA-59', parent: 'UA', level: 'oblast', names: { uk: 'Сумська область', en: 'Sumy oblast' } },
  { code: 'UA-63', parent: 'UA', level: 'oblast', names: { uk: 'Харківська область', en: 'Kharkiv oblast' } },
  { code: 'UA-59-01', parent: 'UA-59', level: 'raion', names: { uk: 'Сумський район', en: 'Sumy raion' } },
  {
    code: 'UA-59-01-01',
    parent: 'UA-59-01',
    level: 'hromada',
    names: { uk: 'Сумська громада', en: 'Sumy hromada' },
  },
];

export function testTree(): RegionTree {
  return createRegionTree(TEST_REGIONS);
}

export function movableClock(start = T0): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = start;
  return { now: () => now, set: (ms) => (now = ms), advance: (ms) => (now += ms) };
}

export function countingIds(): Ids {
  let a = 0;
  let e = 0;
  return { alertId: () => `test-alert-${++a}`, eventId: () => `test-event-${++e}` };
}

export function actor(id: string): Actor {
  return { id, name: id, kind: 'operator', roles: ['author', 'approver'], jurisdiction: ['UA'] };
}

export function testKey(): { key: SigningKey; publicKeys: Map<string, KeyObject> } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { key: { kid: 'test-key-1', privateKey }, publicKeys: new Map([['test-key-1', publicKey]]) };
}

export interface Harness {
  service: AlertService;
  store: Store;
  clock: ReturnType<typeof movableClock>;
  published: BusEvent[];
  bus: Bus;
  publicKeys: Map<string, KeyObject>;
  dataDir: string;
  /** Stops the service and closes the store, keeping the data dir. */
  shutdown(): Promise<void>;
  /** A new service on the same data dir (a restart). */
  restart(): Promise<Harness>;
  cleanup(): Promise<void>;
}

/** A started service on a fresh temp-dir SQLite store. */
export async function harness(
  options: Partial<AlertServiceDeps> & { openStore?: (dataDir: string) => Promise<Store> } = {},
  shared?: {
    dataDir: string;
    clock: ReturnType<typeof movableClock>;
    ids: Ids;
    keys: ReturnType<typeof testKey>;
  },
): Promise<Harness> {
  const dataDir = shared?.dataDir ?? mkdtempSync(join(tmpdir(), 'tocsin-alerts-'));
  const clock = shared?.clock ?? movableClock();
  const ids = shared?.ids ?? countingIds();
  const keys = shared?.keys ?? testKey();
  const { openStore = (dir: string) => openSqliteStore({ dataDir: dir }), ...serviceOptions } = options;
  const store = await openStore(dataDir);
  const bus = createMemoryBus();
  const published: BusEvent[] = [];
  bus.subscribe((e) => published.push(e));
  const service = createAlertService({
    store,
    bus,
    tree: testTree(),
    signingKey: () => keys.key,
    sender: 'tocsin@localhost',
    clock,
    ids,
    needsApproval: neverNeedsApproval,
    onError: (error) => {
      throw error;
    },
    ...serviceOptions,
  });
  await service.start();
  const h: Harness = {
    service,
    store,
    clock,
    published,
    bus,
    publicKeys: keys.publicKeys,
    dataDir,
    async shutdown() {
      await service.stop();
      await bus.close();
      await store.close();
    },
    async restart() {
      await h.shutdown();
      return harness(options, { dataDir, clock, ids, keys });
    },
    async cleanup() {
      await h.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

export const airRaid = (regions = ['UA-59'], extra: Record<string, unknown> = {}) =>
  ({ format: 'short', body: { event: 'air_raid', regions, ...extra } }) as const;
