// Point lookups per second: the region tree (grid index + banded point-in-polygon) against a
// plain linear scan with @turf/boolean-point-in-polygon over the same regions, for the 27 default
// regions and for a synthetic level of about 1,500 regions (each oblast split along a grid).
//   npm run bench:geo [-- --rounds 5 --round-ms 500]
// Contenders alternate within each round (a noisy neighbour hurts both alike); medians of the
// rounds are reported. One thread: the figures are per core. Results go to bench/out/geo.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { splitRegion } from '../src/geo/clip-rect.ts';
import { createRegionTree } from '../src/geo/region-tree.ts';
import type { RegionRecord, RegionTree } from '../src/geo/types.ts';
import { loadDefaultRegions } from '../src/store/default-regions.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, 'round-ms': { type: 'string', default: '500' } },
});
const ROUNDS = Math.max(3, Number(values.rounds));
const ROUND_MS = Number(values['round-ms']);
const POINTS = 20_000;

/** Deterministic points over Ukraine's bounding box (about 60 % fall inside the country). */
function points(): Float64Array {
  let seed = 0x9e3779b9;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const out = new Float64Array(POINTS * 2);
  for (let i = 0; i < POINTS; i++) {
    out[i * 2] = 44.2 + random() * 8.2; // lat
    out[i * 2 + 1] = 22.1 + random() * 18.1; // lon
  }
  return out;
}

interface Dataset {
  name: string;
  tree: RegionTree;
  /** The regions the linear scan walks: the deepest level. */
  features: Feature<Polygon | MultiPolygon>[];
  buildMs: number;
}

function dataset(name: string, records: RegionRecord[], scanLevel: string): Dataset {
  const start = performance.now();
  const tree = createRegionTree(records);
  const buildMs = performance.now() - start;
  const features = records
    .filter((r) => r.level === scanLevel && r.geometry)
    .map((r) => ({
      type: 'Feature' as const,
      properties: { code: r.code },
      geometry: r.geometry as Polygon | MultiPolygon,
    }));
  return { name, tree, features, buildMs };
}

/** Lookups per second for `lookup` over the points, for at least ROUND_MS. */
function measure(lookup: (lat: number, lon: number) => number, pts: Float64Array): number {
  let done = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  let i = 0;
  while (elapsed < ROUND_MS) {
    for (let k = 0; k < 64; k++) {
      sink += lookup(pts[i * 2] as number, pts[i * 2 + 1] as number);
      i = (i + 1) % POINTS;
    }
    done += 64;
    elapsed = performance.now() - start;
  }
  if (sink < 0) console.log(sink);
  return (done / elapsed) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const defaults = loadDefaultRegions();
// 8 × 9 grid cells over each oblast's bounding box; the cells that meet the oblast are its parts.
const raions = defaults.flatMap((r) => (r.level === 'oblast' ? splitRegion(r, 8, 9, 'raion') : []));
const datasets = [
  dataset('27 default regions', defaults, 'oblast'),
  dataset(`${raions.length} synthetic regions (3 levels)`, [...defaults, ...raions], 'raion'),
];
const pts = points();

// Both answer the same question: which deepest region holds the point (checked below).
for (const d of datasets) {
  for (let i = 0; i < 2000; i++) {
    const lat = pts[i * 2] as number;
    const lon = pts[i * 2 + 1] as number;
    const ours = d.tree.lookupPoint(lat, lon).at(-1)?.code;
    const theirs = d.features.find((f) => booleanPointInPolygon([lon, lat], f))?.properties?.code;
    if (ours !== theirs) throw new Error(`${d.name}: (${lat}, ${lon}) tree ${ours} vs scan ${theirs}`);
  }
}

const rows: {
  dataset: string;
  regions: number;
  buildMs: number;
  tree: number;
  scan: number;
  ratio: number;
}[] = [];
for (const d of datasets) {
  const tree: number[] = [];
  const scan: number[] = [];
  const treeLookup = (lat: number, lon: number) => d.tree.lookupPoint(lat, lon).length;
  const scanLookup = (lat: number, lon: number) => {
    for (const f of d.features) if (booleanPointInPolygon([lon, lat], f)) return 1;
    return 0;
  };
  for (let round = 0; round < ROUNDS; round++) {
    tree.push(measure(treeLookup, pts));
    scan.push(measure(scanLookup, pts));
  }
  rows.push({
    dataset: d.name,
    regions: d.features.length,
    buildMs: d.buildMs,
    tree: median(tree),
    scan: median(scan),
    ratio: median(tree) / median(scan),
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const table = [
  `Point lookups per second, one core, median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms, ${POINTS.toLocaleString('en-US')} points over Ukraine's bounding box`,
  `(${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0]?.toFixed(1)}, Node ${process.version}):`,
  '',
  '| regions | tree build | region tree | linear scan (turf) | speed-up |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.dataset} | ${fmt(r.buildMs)} ms | ${fmt(r.tree)} /s | ${fmt(r.scan)} /s | ${r.ratio.toFixed(0)}× |`,
  ),
].join('\n');
console.log(table);
const out = fileURLToPath(new URL('out/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(
  `${out}geo.json`,
  `${JSON.stringify({ rounds: ROUNDS, roundMs: ROUND_MS, points: POINTS, rows }, null, 2)}\n`,
);
