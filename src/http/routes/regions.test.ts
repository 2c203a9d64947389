import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { splitRegion } from '../../geo/clip-rect.ts';
import { createRegionTree } from '../../geo/region-tree.ts';
import { DEFAULT_REGIONS_ATTRIBUTION, loadDefaultRegions } from '../../store/default-regions.ts';
import { regionRoutes } from './regions.ts';

const defaults = loadDefaultRegions();
const raions = defaults.flatMap((r) => (r.code === 'UA-59' ? splitRegion(r, 2, 2, 'raion') : []));
const tree = createRegionTree([...defaults, ...raions]);
const app = Fastify();
await app.register(regionRoutes({ tree, attribution: DEFAULT_REGIONS_ATTRIBUTION }));
after(() => app.close());

test('GET /v1/regions lists every region, parents first, without geometry', async () => {
  const response = await app.inject('/v1/regions');
  assert.equal(response.statusCode, 200);
  const { regions } = response.json();
  assert.equal(regions.length, 1 + 27 + raions.length);
  assert.deepEqual(regions[0], {
    code: 'UA',
    parent: null,
    level: 'country',
    depth: 0,
    names: { uk: 'Україна', en: 'Ukraine' },
    ids: {},
  });
  assert.ok(!response.body.includes('coordinates'));
  const sumy = regions.find((r: { code: string }) => r.code === 'UA-59');
  assert.deepEqual(sumy.ids, { alerts_in_ua: '20', ukrainealarm: '20', osm: '71250' });
});

test('GET /v1/regions?level= filters, ?format=tree nests', async () => {
  const oblasts = (await app.inject('/v1/regions?level=oblast')).json().regions;
  assert.equal(oblasts.length, 27);
  assert.ok(oblasts.every((r: { level: string }) => r.level === 'oblast'));
  const nested = (await app.inject('/v1/regions?format=tree')).json().regions;
  assert.equal(nested.length, 1);
  assert.equal(nested[0].children.length, 27);
  const sumy = nested[0].children.find((r: { code: string }) => r.code === 'UA-59');
  assert.equal(sumy.children.length, raions.length);
  const shallow = (await app.inject('/v1/regions?format=tree&level=oblast')).json().regions;
  assert.deepEqual(shallow[0].children.find((r: { code: string }) => r.code === 'UA-59').children, []);
});

test('bad queries get REQUEST_INVALID with the field named', async () => {
  for (const url of [
    '/v1/regions?level=galaxy',
    '/v1/regions?format=xml',
    '/v1/regions.geojson?detail=ultra',
    '/v1/regions.topojson?level=nope',
  ]) {
    const response = await app.inject(url);
    assert.equal(response.statusCode, 400, url);
    const body = response.json();
    assert.equal(body.error.code, 'REQUEST_INVALID', url);
    assert.ok(body.error.details.length > 0 && body.error.details[0].path.startsWith('querystring'), url);
  }
});

test('GET /v1/regions/{code} gives the region with ancestors and children; unknown codes are 404', async () => {
  const response = await app.inject('/v1/regions/UA-59');
  assert.equal(response.statusCode, 200);
  const body = response.json();
  assert.equal(body.region.code, 'UA-59');
  assert.deepEqual(
    body.ancestors.map((r: { code: string }) => r.code),
    ['UA'],
  );
  assert.deepEqual(
    body.children.map((r: { code: string }) => r.code),
    raions.map((r) => r.code),
  );
  const raion = (await app.inject(`/v1/regions/${raions[0]?.code}`)).json();
  assert.deepEqual(
    raion.ancestors.map((r: { code: string }) => r.code),
    ['UA', 'UA-59'],
  );
  for (const code of ['UA-99', encodeURIComponent('<script>'), 'x'.repeat(65)]) {
    const missing = await app.inject(`/v1/regions/${code}`);
    assert.equal(missing.statusCode, code.length > 64 ? 400 : 404, code);
    assert.equal(missing.json().error.code, code.length > 64 ? 'REQUEST_INVALID' : 'REGION_NOT_FOUND');
  }
});

test('GET /v1/regions/lookup resolves a point to its chain; outside is empty; bad input is 400', async () => {
  const sumy = (await app.inject('/v1/regions/lookup?lat=50.91&lon=34.80')).json();
  assert.deepEqual(sumy.regions.map((r: { code: string }) => r.code).slice(0, 2), ['UA', 'UA-59']);
  assert.equal(sumy.regions.length, 3);
  const kyiv = (await app.inject('/v1/regions/lookup?lat=50.45&lon=30.52')).json();
  assert.deepEqual(
    kyiv.regions.map((r: { code: string }) => r.code),
    ['UA', 'UA-30'],
  );
  assert.deepEqual((await app.inject('/v1/regions/lookup?lat=52.23&lon=21.01')).json().regions, []);
  for (const query of [
    'lat=91&lon=30',
    'lat=50',
    'lat=abc&lon=30',
    'lat=50&lon=-181',
    'lat=NaN&lon=30',
    'lat=1e400&lon=30',
    'lat=&lon=30',
  ]) {
    const response = await app.inject(`/v1/regions/lookup?${query}`);
    assert.equal(response.statusCode, 400, query);
    assert.equal(response.json().error.code, 'REQUEST_INVALID', query);
  }
});

test('shapes: GeoJSON and TopoJSON of a level, small, attributed, cached with an ETag', async () => {
  const geo = await app.inject('/v1/regions.geojson');
  assert.equal(geo.statusCode, 200);
  assert.match(String(geo.headers['content-type']), /application\/geo\+json/);
  const collection = geo.json();
  assert.equal(collection.type, 'FeatureCollection');
  assert.equal(collection.features.length, 27, 'the default level is the first one with shapes (oblast)');
  assert.equal(collection.attribution, DEFAULT_REGIONS_ATTRIBUTION);
  assert.ok(gzipSync(geo.body).length < 100_000);
  const topo = await app.inject('/v1/regions.topojson?level=raion&detail=high');
  assert.equal(topo.json().type, 'Topology');
  assert.equal(topo.json().objects.regions.geometries.length, raions.length);

  const etag = String(geo.headers.etag);
  assert.match(etag, /^"[\w-]{27}"$/);
  assert.match(String(geo.headers['cache-control']), /max-age=\d+/);
  const again = await app.inject({
    url: '/v1/regions.geojson?level=oblast&detail=medium',
    headers: { 'if-none-match': etag },
  });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
  const other = await app.inject({
    url: '/v1/regions.geojson?detail=low',
    headers: { 'if-none-match': etag },
  });
  assert.equal(other.statusCode, 200, 'another detail has another ETag');
  assert.notEqual(other.headers.etag, etag);
});

test('lists and regions answer 304 to their own ETag', async () => {
  for (const url of ['/v1/regions', '/v1/regions?format=tree', '/v1/regions/UA-59']) {
    const first = await app.inject(url);
    const second = await app.inject({
      url,
      headers: { 'if-none-match': `W/${first.headers.etag}, "other"` },
    });
    assert.equal(second.statusCode, 304, url);
  }
});
