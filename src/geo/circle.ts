// CAP circles (CAP 1.2 §3.2.4: "a central point ... followed by a radius value in kilometers")
// approximated by a polygon of points at the exact great-circle distance from the centre.
import type { Position } from './types.ts';

/** Mean Earth radius (IUGG), kilometres. */
export const EARTH_RADIUS_KM = 6371.0088;
/** Vertices of the polygon standing in for a circle: its area is 99.84 % of the circle's. */
export const CIRCLE_VERTICES = 64;

const DEG = Math.PI / 180;

/** A closed ring (GeoJSON lon/lat, counter-clockwise) approximating a circle on the sphere. */
export function circleRing(
  lat: number,
  lon: number,
  radiusKm: number,
  vertices = CIRCLE_VERTICES,
): Position[] {
  const phi1 = lat * DEG;
  const lambda1 = lon * DEG;
  const delta = radiusKm / EARTH_RADIUS_KM;
  const ring: Position[] = [];
  for (let k = 0; k < vertices; k++) {
    // Bearings clockwise from north, walked backwards so the ring runs counter-clockwise.
    const theta = (-2 * Math.PI * k) / vertices;
    const phi2 = Math.asin(
      Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(theta),
    );
    const lambda2 =
      lambda1 +
      Math.atan2(
        Math.sin(theta) * Math.sin(delta) * Math.cos(phi1),
        Math.cos(delta) - Math.sin(phi1) * Math.sin(phi2),
      );
    ring.push([lambda2 / DEG, phi2 / DEG]);
  }
  ring.push(ring[0] as Position);
  return ring;
}
