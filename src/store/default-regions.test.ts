import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { splitRegion } from '../geo/clip-rect.ts';
import { DEFAULT_REGIONS_DIR, loadDefaultRegions, loadRegionTree, mergeRegions } from './default-regions.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';

test('the shipped data is found beside the package and keeps its licence file', () => {
  assert.ok(existsSync(join(DEFAULT_REGIONS_DIR, 'ukraine-oblasts.geojson')));
  assert.ok(existsSync(join(DEFAULT_REGIONS_DIR, 'README.md')));
  const records = loadDefaultRegions();
  assert.equal(records.length, 28);
  assert.deepEqual(records[0], {
    code: 'UA',
    parent: null,
    level: 'country',
    names: { uk: 'Україна', en: 'Ukraine' },
  });
  assert.ok(
    records
      .slice(1)
      .every((r) => r.parent === 'UA' && r.level === 'oblast' && r.geometry && r.names.uk && r.names.en),
  );
  assert.deepEqual(records.find((r) => r.code === 'UA-30')?.ids, {
    alerts_in_ua: '31',
    ukrainealarm: '31',
    osm: '421866',
  });
  // Every unit's ids agree with the crosswalk file shipped beside the boundaries.
  const crosswalk = JSON.parse(readFileSync(join(DEFAULT_REGIONS_DIR, 'region-ids.json'), 'utf8')) as {
    units: {
      iso_3166_2: string;
      alerts_in_ua_uid: number | null;
      ukrainealarm_region_id: number | null;
      name_uk: string;
    }[];
  };
  assert.equal(crosswalk.units.length, 27);
  for (const unit of crosswalk.units) {
    const region = records.find((r) => r.code === unit.iso_3166_2);
    assert.equal(region?.names.uk, unit.name_uk);
    assert.equal(
      region?.ids?.alerts_in_ua,
      unit.alerts_in_ua_uid === null ? undefined : String(unit.alerts_in_ua_uid),
    );
    assert.equal(
      region?.ids?.ukrainealarm,
      unit.ukrainealarm_region_id === null ? undefined : String(unit.ukrainealarm_region_id),
    );
  }
  assert.equal(records.find((r) => r.code === 'UA-43')?.ids?.ukrainealarm, undefined);
});

test('a stored level replaces the default level of that name and adds to the rest', () => {
  const defaults = loadDefaultRegions();
  const sumy = defaults.find((r) => r.code === 'UA-59');
  assert.ok(sumy);
  const raions = splitRegion(sumy, 2, 1, 'raion');
  const merged = mergeRegions(defaults, raions);
  assert.equal(merged.length, 28 + raions.length);
  const renamed = { ...sumy, names: { uk: 'Сумщина', en: 'Sumy' } };
  const replaced = mergeRegions(defaults, [renamed]);
  assert.deepEqual(
    replaced.filter((r) => r.level === 'oblast').map((r) => r.code),
    ['UA-59'],
  );
});

test('loadRegionTree builds the server tree from the defaults and a real SQLite store', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-regions-store-'));
  const store = await openSqliteStore({ dataDir: dir });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const before = await loadRegionTree(store);
  assert.deepEqual(before.levels(), ['country', 'oblast']);
  const raions = loadDefaultRegions()
    .filter((r) => r.level === 'oblast')
    .flatMap((r) => splitRegion(r, 2, 2, 'raion'));
  await store.replaceRegionLevel('raion', raions);
  const after = await loadRegionTree(store);
  assert.deepEqual(after.levels(), ['country', 'oblast', 'raion']);
  assert.equal(after.lookupPoint(50.91, 34.8).length, 3);
  // The default geocode schemes are on: alerts.in.ua's uid 20 is Sumy oblast.
  const hit = after.resolveArea({
    areaDesc: 'x',
    polygon: [],
    circle: [],
    geocode: [{ valueName: 'alerts_in_ua', value: '20' }],
  });
  assert.deepEqual(
    hit.hits.map((h) => h.code),
    ['UA-59'],
  );
});
