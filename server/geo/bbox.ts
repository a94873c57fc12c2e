import type { Position } from 'geojson';

/** The bounding box [minLon, minLat, maxLon, maxLat] of some lines or rings; all Infinity / −Infinity when there are no points. */
export function bboxOfLines(lines: readonly (readonly Position[])[]): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const l of lines) {
    for (const p of l) {
      const x = p[0]!;
      const y = p[1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}
