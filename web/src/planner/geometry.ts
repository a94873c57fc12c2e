/** Small geometry helpers for the browser (no Turf in the bundle). */
import type { Feature, Polygon } from 'geojson';

/**
 * A geodesic-enough circle (spherical, `steps` vertices) around `center`, radius in metres.
 * @example circlePolygon([121.6, 38.91], 1000)
 */
export function circlePolygon(center: [number, number], radiusM: number, steps = 64): Feature<Polygon> {
  const R = 6371008.8;
  const [lon, lat] = center.map((d) => (d * Math.PI) / 180);
  const d = radiusM / R;
  const ring: [number, number][] = [];
  for (let i = 0; i <= steps; i++) {
    const b = (2 * Math.PI * (i % steps)) / steps;
    const lat2 = Math.asin(Math.sin(lat) * Math.cos(d) + Math.cos(lat) * Math.sin(d) * Math.cos(b));
    const lon2 = lon + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat), Math.cos(d) - Math.sin(lat) * Math.sin(lat2));
    ring.push([(lon2 * 180) / Math.PI, (lat2 * 180) / Math.PI]);
  }
  return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: {} };
}
