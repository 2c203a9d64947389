// Registering push subscriptions: the SSRF guard (only https endpoints on public addresses unless
// configured otherwise), key and region checks with paths, and the cap on the total.
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TocsinError } from '../../alerts/errors.ts';
import type { RegionTree } from '../../geo/types.ts';
import { loadRegionTree } from '../../store/default-regions.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import type { Store } from '../../store/store.ts';
import type { Resolve } from './webhook-target.ts';
import { createPushSubscriptions, type SubscribeInput } from './webpush-subscriptions.ts';

const dns: Record<string, string> = {
  'push.example.com': '8.8.8.8',
  'loopback.example.com': '127.0.0.1',
  'metadata.example.com': '169.254.169.254',
};
const resolve: Resolve = async (host) => {
  const address = dns[host];
  if (!address) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return [{ address, family: 4 }];
};

const keys = () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
};
const input = (endpoint: string, regions = ['UA-59']): SubscribeInput => ({
  subscription: { endpoint, keys: keys() },
  regions,
});

async function refusal(promise: Promise<unknown>): Promise<TocsinError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TocsinError, String(error));
    return error;
  }
  assert.fail('not refused');
}

describe('push subscriptions', () => {
  let dir: string;
  let store: Store;
  let tree: RegionTree;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-push-subs-'));
    store = await openSqliteStore({ dataDir: dir });
    tree = await loadRegionTree(store);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses endpoints that would make the hub a relay into private networks', async () => {
    const subs = createPushSubscriptions({
      store: store.push,
      tree,
      allowInsecureEndpoints: false,
      maxSubscriptions: 10,
      resolve,
    });
    const refused: [string, RegExp][] = [
      ['http://push.example.com/x', /scheme http/],
      ['https://127.0.0.1/x', /loopback/],
      ['https://10.0.0.1/x', /private/],
      ['https://169.254.169.254/latest/meta-data', /metadata/],
      ['https://[::1]/x', /loopback/],
      ['https://[::ffff:127.0.0.1]/x', /loopback/],
      ['https://loopback.example.com/x', /resolves to 127\.0\.0\.1/],
      ['https://metadata.example.com/x', /metadata/],
      ['https://nowhere.example.com/x', /does not resolve/],
      ['https://user:pw@push.example.com/x', /credentials/],
    ];
    for (const [endpoint, why] of refused) {
      const error = await refusal(subs.subscribe(input(endpoint)));
      assert.equal(error.code, 'PUSH_ENDPOINT_REFUSED', endpoint);
      assert.match(error.message, why, endpoint);
      assert.equal(error.details[0]?.path, 'subscription.endpoint');
    }
    assert.equal(await store.push.countPushSubscriptions(), 0);
    const ok = await subs.subscribe(input('https://push.example.com/ok'));
    assert.equal(ok.created, true);
  });

  it('checks keys and regions, naming each field', async () => {
    const subs = createPushSubscriptions({
      store: store.push,
      tree,
      allowInsecureEndpoints: false,
      maxSubscriptions: 10,
      resolve,
    });
    const compressed = createECDH('prime256v1');
    compressed.generateKeys();
    const bad: [SubscribeInput, string[]][] = [
      [
        {
          subscription: { endpoint: 'https://push.example.com/a', keys: { ...keys(), p256dh: 'AAAA' } },
          regions: ['UA-59'],
        },
        ['subscription.keys.p256dh'],
      ],
      [
        {
          subscription: {
            endpoint: 'https://push.example.com/a',
            keys: { ...keys(), p256dh: compressed.getPublicKey('base64url', 'compressed') },
          },
          regions: ['UA-59'],
        },
        ['subscription.keys.p256dh'],
      ],
      [
        {
          subscription: { endpoint: 'https://push.example.com/a', keys: { ...keys(), auth: 'a+b/' } },
          regions: ['UA-59'],
        },
        ['subscription.keys.auth'],
      ],
      [
        input('https://push.example.com/a', ['UA-59', 'XX-1', 'UA-32', '<script>']),
        ['regions/1', 'regions/3'],
      ],
      [input('https://push.example.com/a', []), ['regions']],
    ];
    for (const [body, paths] of bad) {
      const error = await refusal(subs.subscribe(body));
      assert.equal(error.code, 'PUSH_SUBSCRIPTION_INVALID');
      assert.deepEqual(
        error.details.map((d) => d.path),
        paths,
      );
    }
  });

  it('caps the total, but an existing endpoint may still change its regions', async () => {
    const subs = createPushSubscriptions({
      store: store.push,
      tree,
      allowInsecureEndpoints: false,
      maxSubscriptions: 2,
      resolve,
    });
    const before = await store.push.countPushSubscriptions();
    assert.equal(before, 1);
    await subs.subscribe(input('https://push.example.com/second'));
    const error = await refusal(subs.subscribe(input('https://push.example.com/third')));
    assert.equal(error.code, 'PUSH_SUBSCRIPTIONS_FULL');
    const changed = await subs.subscribe(input('https://push.example.com/second', ['UA-32']));
    assert.equal(changed.created, false);
    assert.deepEqual(changed.record.regions, ['UA-32']);
    await subs.unsubscribe('https://push.example.com/second');
    assert.equal(
      (await refusal(subs.unsubscribe('https://push.example.com/second'))).code,
      'PUSH_SUBSCRIPTION_NOT_FOUND',
    );
  });
});
