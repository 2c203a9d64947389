// Region shapes for the web: one TopoJSON topology per level (shared borders stored once, so
// simplification moves both sides of a border together), simplified at a few detail levels,
// and the GeoJSON drawn from that same simplified topology. Pure: the route serialises once.
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { feature, quantize } from 'topojson-client';
import { topology } from 'topojson-server';
import { presimplify, quantile, simplify } from 'topojson-simplify';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { Region } from './types.ts';

/** Detail levels and the share of the points (by Visvalingam weight) each one keeps. */
export const DETAILS = { low: 0.04, medium: 0.12, high: 0.5 } as const;
export type Detail = keyof typeof DETAILS;
export const DEFAULT_DETAIL: Detail = 'medium';

/** Quantisation grid of the topology: 10⁵ steps across Ukraine's 18° is about 15 m. */
const QUANTIZATION = 1e5;
/** Decimals kept in GeoJSON output: 4 decimals is about 10 m, finer than any detail level. */
const GEOJSON_DECIMALS = 4;

export interface ShapeProperties {
  code: string;
  parent: string | null;
  level: string;
  names: Record<string, string>;
}

export interface RegionShapes {
  topology: Topology<{ regions: GeometryCollection<ShapeProperties> }> & { attribution?: string };
  geojson: FeatureCollection<Polygon | MultiPolygon, ShapeProperties> & { attribution?: string };
}

/** Builds simplified shapes of the given regions (those without a geometry are left out). */
export function buildShapes(regions: readonly Region[], detail: Detail, attribution?: string): RegionShapes {
  const features: Feature<Polygon | MultiPolygon, ShapeProperties>[] = [];
  for (const region of regions) {
    if (!region.geometry) continue;
    features.push({
      type: 'Feature',
      id: region.code,
      properties: { code: region.code, parent: region.parent, level: region.level, names: region.names },
      geometry: region.geometry as Polygon | MultiPolygon,
    });
  }
  // The pipeline of geo2topo | toposimplify | topoquantize: shared arcs, Visvalingam weights,
  // keep the heaviest share of points, then integer delta-encoded coordinates.
  const full = topology({ regions: { type: 'FeatureCollection', features } as FeatureCollection });
  const weighted = presimplify(full as never) as Topology;
  const simplified = simplify(weighted as never, quantile(weighted as never, DETAILS[detail]));
  const quantized = quantize(simplified as never, QUANTIZATION) as unknown as RegionShapes['topology'];
  const collection = feature(quantized, quantized.objects.regions) as unknown as RegionShapes['geojson'];
  for (const f of collection.features) roundGeometry(f.geometry);
  if (attribution !== undefined) {
    quantized.attribution = attribution;
    collection.attribution = attribution;
  }
  return { topology: quantized, geojson: collection };
}

function roundGeometry(geometry: Polygon | MultiPolygon): void {
  const f = 10 ** GEOJSON_DECIMALS;
  const round = (ring: number[][]) =>
    ring.map(([x, y]) => [Math.round((x as number) * f) / f, Math.round((y as number) * f) / f]);
  if (geometry.type === 'Polygon') geometry.coordinates = geometry.coordinates.map(round);
  else geometry.coordinates = geometry.coordinates.map((polygon) => polygon.map(round));
}
