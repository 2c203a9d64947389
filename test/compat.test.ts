// The compatibility APIs of a real hub, compared field by field with recorded example responses
// of alerts.in.ua and api.ukrainealarm.com (test/fixtures/compat/, see PROVENANCE.md): the same
// keys, the same JSON types, the same time formats, and values derived from the hub's own state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { OBLAST_ORDER_UIDS } from '../src/delivery/compat/alerts-in-ua.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { makeTempDir, startTestHub, type TestHub } from './helpers/hub.ts';

const FIXTURES = new URL('./fixtures/compat/', import.meta.url);
const recorded = (path: string): unknown => JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8'));

/**
 * The shape of a JSON value: keys, JSON types, and for strings that look like times their digit
 * pattern (`dddd-dd-ddTdd:dd:dd.dddZ`), so a format change shows as a difference.
 */
function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? ['?'] : [shapeOf(value[0])];
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, shapeOf(v)]),
    );
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value))
    return `time:${value.replace(/\d/g, 'd').replace(/\.d+Z$/, '.fZ')}`;
  return typeof value;
}

/** Every recorded key is present with the recorded type; `nullable` keys may also be null. */
function assertSameShape(
  actual: unknown,
  expected: unknown,
  nullable: ReadonlySet<string>,
  path = '$',
): void {
  const a = shapeOf(actual);
  const e = shapeOf(expected);
  const walk = (x: unknown, y: unknown, at: string) => {
    if (Array.isArray(y)) {
      assert.ok(Array.isArray(x), `${at}: expected an array`);
      if (y[0] !== '?' && x[0] !== '?') walk(x[0], y[0], `${at}[0]`);
      return;
    }
    if (typeof y === 'object' && y !== null) {
      assert.equal(typeof x, 'object', `${at}: expected an object`);
      for (const key of Object.keys(y)) {
        const xv = (x as Record<string, unknown>)[key];
        assert.ok(xv !== undefined, `${at}.${key} is missing`);
        if (xv === 'null' && nullable.has(key)) continue;
        walk(xv, (y as Record<string, unknown>)[key], `${at}.${key}`);
      }
      return;
    }
    assert.equal(x, y, `${at}: type or format differs`);
  };
  walk(a, e, path);
}

let hub: TestHub;
let temp: { dir: string; remove: () => void };
const sent: Record<string, string> = {};

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${hub.url}${path}`, { headers });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? JSON.parse(text) : undefined,
  };
}

async function issueShort(body: Record<string, unknown>): Promise<{ id: string; sent: string }> {
  const response = await fetch(`${hub.url}/v1/alerts`, {
    method: 'POST',
    headers: { ...hub.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { alert: { id: string; sent: string } };
  assert.equal(response.status, 201, JSON.stringify(json));
  return json.alert;
}

/**
 * A raion below Kyiv oblast, imported into the hub's store before it starts (the default data
 * stops at oblasts; a deployment imports finer levels). It has no alerts.in.ua or ukrainealarm id
 * of its own, so it shows under its oblast's.
 */
async function dataDirWithRaion(dir: string): Promise<void> {
  const store = await openSqliteStore({ dataDir: dir });
  try {
    await store.replaceRegionLevel('raion', [
      {
        code: 'UA-32-TEST',
        parent: 'UA-32',
        level: 'raion',
        names: { uk: 'Білоцерківський район', en: 'Bila Tserkva Raion' },
      },
    ]);
  } finally {
    await store.close();
  }
}

describe('compatibility APIs', () => {
  before(async () => {
    temp = makeTempDir();
    await dataDirWithRaion(temp.dir);
    hub = await startTestHub({ dataDir: temp.dir });
    sent.sumy = (await issueShort({ event: 'air_raid', regions: ['UA-59'] })).sent;
    sent.kharkiv = (await issueShort({ event: 'artillery', regions: ['UA-63'] })).sent;
    // A drill must never look real where the shape cannot say it is one.
    await issueShort({ event: 'air_raid', regions: ['UA-46'], status: 'Exercise' });
    // Part of Kyiv oblast: an alert on one of its raions.
    sent.kyivOblast = (await issueShort({ event: 'air_raid', regions: ['UA-32-TEST'] })).sent;
  });
  after(async () => {
    await hub.stop();
    temp.remove();
  });

  test('alerts.in.ua active.json: the recorded shape, values from the hub state, no exercise', async () => {
    const reply = await get('/compat/alerts-in-ua/v1/alerts/active.json');
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /application\/json/);
    const example = recorded('alerts-in-ua/active.json') as { alerts: unknown[] };
    assertSameShape(reply.json, example, new Set(['location_raion']));
    const alerts = reply.json.alerts as Record<string, unknown>[];
    const byUid = new Map(alerts.map((a) => [a.location_uid, a]));
    assert.deepEqual([...byUid.keys()].sort(), ['14', '20', '22'], 'Lviv’s exercise is left out');
    const sumy = byUid.get('20') as Record<string, unknown>;
    assert.equal(sumy.location_title, 'Сумська область');
    assert.equal(sumy.location_type, 'oblast');
    assert.equal(sumy.location_oblast, 'Сумська область');
    assert.equal(sumy.location_oblast_uid, '20');
    assert.equal(sumy.alert_type, 'air_raid');
    assert.equal(sumy.started_at, new Date(sent.sumy as string).toISOString());
    assert.equal(sumy.finished_at, null);
    assert.equal(sumy.calculated, false);
    assert.equal(Number.isSafeInteger(sumy.id), true);
    assert.equal((byUid.get('22') as Record<string, unknown>).alert_type, 'artillery_shelling');
    const raion = byUid.get('14') as Record<string, unknown>;
    assert.equal(raion.location_title, 'Білоцерківський район', 'the raion under its oblast’s UID');
    assert.equal(raion.location_type, 'raion');
    assert.equal(raion.location_raion, 'Білоцерківський район');
    assert.equal(raion.location_oblast, 'Київська область');
    assert.match(reply.json.meta.last_updated_at, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \+0000$/);
  });

  test('the IoT strings: A for the whole oblast, P for part of it, N elsewhere (artillery and drills do not count)', async () => {
    const example = recorded('alerts-in-ua/iot-by-oblast.json') as string;
    const reply = await get('/compat/alerts-in-ua/v1/iot/active_air_raid_alerts_by_oblast.json');
    assert.equal(reply.status, 200);
    assert.equal(typeof reply.json, 'string');
    assert.equal(reply.json.length, example.length);
    const expected = OBLAST_ORDER_UIDS.map((uid) => (uid === '20' ? 'A' : uid === '14' ? 'P' : 'N')).join('');
    assert.equal(reply.json, expected);

    const one = await get('/compat/alerts-in-ua/v1/iot/active_air_raid_alerts/20.json');
    assert.equal(typeof one.json, typeof recorded('alerts-in-ua/iot-uid.json'));
    assert.equal(one.json, 'A');
    assert.equal((await get('/compat/alerts-in-ua/v1/iot/active_air_raid_alerts/14.json')).json, 'P');
    assert.equal((await get('/compat/alerts-in-ua/v1/iot/active_air_raid_alerts/22.json')).json, 'N');
    const unknown = await get('/compat/alerts-in-ua/v1/iot/active_air_raid_alerts/99999.json');
    assert.equal(unknown.status, 404);
    assert.equal(typeof unknown.json.message, 'string');

    const byUid = await get('/compat/alerts-in-ua/v1/iot/active_air_raid_alerts.json');
    assert.equal(byUid.json[20], 'A');
    assert.equal(byUid.json[14], 'P');
    assert.equal(byUid.json[1], ' ', 'no region has UID 1');
  });

  test('ukrainealarm alerts: the recorded model, levels and values from the hub state', async () => {
    const reply = await get('/compat/ukrainealarm/api/v3/alerts');
    assert.equal(reply.status, 200);
    assertSameShape(reply.json, recorded('ukrainealarm/alerts.json'), new Set());
    const byId = new Map((reply.json as Record<string, unknown>[]).map((m) => [m.regionId, m]));
    assert.deepEqual([...byId.keys()].sort(), ['14', '20', '22']);
    const sumy = byId.get('20') as { [k: string]: unknown; activeAlerts: Record<string, unknown>[] };
    assert.equal(sumy.regionType, 'State');
    assert.equal(sumy.regionName, 'Сумська область');
    assert.equal(sumy.regionEngName, 'Sumy Oblast');
    assert.equal(sumy.lastUpdate, new Date(sent.sumy as string).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.equal(sumy.activeAlerts.length, 1);
    assert.equal(sumy.activeAlerts[0]?.type, 'AIR');
    assert.equal(sumy.activeAlerts[0]?.regionId, '20');
    const levels = sumy.activeAlerts[0]?.activeAlertLevels as unknown[];
    assertSameShape(levels[0], recorded('ukrainealarm/alert-level.json'), new Set());
    assert.equal(
      ((byId.get('22') as { activeAlerts: { type: string }[] }).activeAlerts[0] as { type: string }).type,
      'ARTILLERY',
    );

    const one = await get('/compat/ukrainealarm/api/v3/alerts/20');
    assert.equal(one.json.length, 1);
    assert.deepEqual(one.json[0], sumy);
    const quiet = await get('/compat/ukrainealarm/api/v3/alerts/24');
    assert.equal(quiet.status, 200);
    assert.deepEqual(quiet.json[0].activeAlerts, []);
    assert.equal(quiet.json[0].regionName, 'Черкаська область');
    assert.equal((await get('/compat/ukrainealarm/api/v3/alerts/99999')).status, 404);
  });

  test('ukrainealarm regions and status', async () => {
    const regions = await get('/compat/ukrainealarm/api/v3/regions');
    assertSameShape(regions.json, recorded('ukrainealarm/regions.json'), new Set());
    const states = regions.json.states as {
      regionId: string;
      regionType: string;
      regionChildIds: unknown[];
    }[];
    // The default data: 27 first-level units, of which Crimea and Sevastopol have no ukrainealarm id.
    assert.equal(states.length, 25);
    assert.ok(states.every((s) => s.regionType === 'State' && Array.isArray(s.regionChildIds)));
    assert.ok(states.some((s) => s.regionId === '31'));

    const before = (await get('/compat/ukrainealarm/api/v3/alerts/status')).json.lastActionIndex;
    assert.equal(Number.isSafeInteger(before), true);
    const current = (await hub.alerts.list({ region: 'UA-63', active: true })).items[0];
    assert.ok(current);
    await fetch(`${hub.url}/v1/alerts/${current.id}/all-clear`, { method: 'POST', headers: hub.headers });
    const afterEnd = (await get('/compat/ukrainealarm/api/v3/alerts/status')).json.lastActionIndex;
    assert.ok(afterEnd > before, 'an event moves lastActionIndex');
    const list = (await get('/compat/ukrainealarm/api/v3/alerts')).json as { regionId: string }[];
    assert.ok(!list.some((m) => m.regionId === '22'), 'the all-clear removed Kharkiv');
  });

  test('their credentials are accepted and ignored on /compat only; ETag and If-Modified-Since give 304', async () => {
    const bearer = await get('/compat/alerts-in-ua/v1/alerts/active.json?token=abc', {
      authorization: 'Bearer some-alerts-in-ua-token',
    });
    assert.equal(bearer.status, 200);
    const raw = await get('/compat/ukrainealarm/api/v3/alerts', { authorization: '57fe8a39:7698ad50' });
    assert.equal(raw.status, 200);
    const elsewhere = await get('/v1/state', { authorization: 'Bearer some-alerts-in-ua-token' });
    assert.equal(elsewhere.status, 401, 'outside /compat a foreign token is still refused');

    const etag = bearer.headers.get('etag') as string;
    assert.equal(
      (await get('/compat/alerts-in-ua/v1/alerts/active.json', { 'if-none-match': etag })).status,
      304,
    );
    const later = new Date(Date.parse(bearer.headers.get('last-modified') as string) + 2000).toUTCString();
    const ims = await get('/compat/alerts-in-ua/v1/alerts/active.json', { 'if-modified-since': later });
    assert.equal(ims.status, 304);
  });

  test('a country-wide alert lights every oblast and every ukrainealarm state', async () => {
    await issueShort({ event: 'missile', regions: ['UA'] });
    const letters = (await get('/compat/alerts-in-ua/v1/iot/active_air_raid_alerts_by_oblast.json')).json;
    assert.equal(letters, 'A'.repeat(27));
    const list = (await get('/compat/ukrainealarm/api/v3/alerts')).json as {
      activeAlerts: { type: string }[];
    }[];
    assert.equal(list.length, 25);
    assert.ok(list.every((m) => m.activeAlerts.some((a) => a.type === 'AIR')));
  });
});

describe('compatibility history endpoints', () => {
  let own: TestHub;
  const at = async (path: string) => {
    const response = await fetch(`${own.url}${path}`);
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  };
  const issue = async (body: Record<string, unknown>) => {
    const response = await fetch(`${own.url}/v1/alerts`, {
      method: 'POST',
      headers: { ...own.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { alert: { id: string } };
    assert.equal(response.status, 201, JSON.stringify(json));
    return json.alert.id;
  };

  before(async () => {
    own = await startTestHub();
    const airRaid = await issue({ event: 'air_raid', regions: ['UA-59'] });
    const cleared = await fetch(`${own.url}/v1/alerts/${encodeURIComponent(airRaid)}/all-clear`, {
      method: 'POST',
      headers: own.headers,
    });
    assert.equal(cleared.status, 201, await cleared.text());
    await issue({ event: 'drone', regions: ['UA-59'] });
    await issue({ event: 'artillery', regions: ['UA-63'] });
    await issue({ event: 'air_raid', regions: ['UA-59'], status: 'Exercise' });
  });
  after(() => own.stop());

  test('alerts.in.ua regions/{uid}/alerts/{period}.json: the region’s alerts, ended ones with finished_at, no drills', async () => {
    const reply = await at('/compat/alerts-in-ua/v1/regions/20/alerts/week_ago.json');
    assert.equal(reply.status, 200);
    const alerts = reply.json.alerts as {
      id: number;
      finished_at: string | null;
      alert_type: string;
      notes: string;
    }[];
    assert.equal(alerts.length, 2, JSON.stringify(alerts));
    const [newest, oldest] = alerts as [(typeof alerts)[0], (typeof alerts)[0]];
    assert.equal(newest.finished_at, null, 'the drone alert is still on');
    assert.equal(newest.alert_type, 'air_raid');
    assert.match(
      oldest.finished_at ?? '',
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
      'the all-clear ended it',
    );
    const example = recorded('alerts-in-ua/active.json') as { alerts: unknown[] };
    assertSameShape(newest, example.alerts[0], new Set(['location_raion']));
    const kharkiv = (await at('/compat/alerts-in-ua/v1/regions/22/alerts/month_ago.json')).json.alerts;
    assert.deepEqual(
      kharkiv.map((a: { alert_type: string }) => a.alert_type),
      ['artillery_shelling'],
    );
    assert.equal((await at('/compat/alerts-in-ua/v1/regions/999/alerts/week_ago.json')).status, 404);
    const badPeriod = await at('/compat/alerts-in-ua/v1/regions/20/alerts/year_ago.json');
    assert.equal(badPeriod.status, 400);
    assert.match(badPeriod.json.message, /week_ago/);
  });

  test('ukrainealarm alerts/regionHistory: newest first, isContinue for the running one, a country-wide alert included', async () => {
    await issue({ event: 'missile', regions: ['UA'] });
    const reply = await at('/compat/ukrainealarm/api/v3/alerts/regionHistory?regionId=20');
    assert.equal(reply.status, 200);
    const [sumy] = reply.json as {
      regionId: string;
      regionName: string;
      alarms: Record<string, unknown>[];
    }[];
    assert.equal(sumy?.regionId, '20');
    assert.equal(sumy?.regionName, 'Сумська область');
    assert.deepEqual(
      sumy?.alarms.map((a) => [a.alertType, a.isContinue]),
      [
        ['AIR', true],
        ['AIR', true],
        ['AIR', false],
      ],
    );
    for (const alarm of sumy?.alarms ?? []) {
      assert.match(String(alarm.startDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(String(alarm.endDate) >= String(alarm.startDate));
    }
    assert.equal((await at('/compat/ukrainealarm/api/v3/alerts/regionHistory?regionId=9999')).status, 404);
    assert.equal((await at('/compat/ukrainealarm/api/v3/alerts/regionHistory')).status, 400);
  });
});
