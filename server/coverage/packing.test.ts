import { describe, expect, it } from 'vitest';
import { PreparedGrids, coverGrid, type GridJob } from './engine.js';
import { bufferedLinePiece, circlePiece } from './pieces.js';
import { packJobs, packPieces, unpackJobs } from './packing.js';

const square = (id: number, x: number, y: number, d = 0.004) => ({
  id,
  population: 100 * id,
  polygon: { type: 'Polygon' as const, coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] },
});

describe('packPieces / packJobs / unpackJobs', () => {
  const grids = new PreparedGrids([
    square(1, 121.6, 38.9),
    square(2, 121.604, 38.9),
    {
      ...square(3, 121.6, 38.904),
      polygon: {
        type: 'Polygon',
        coordinates: [
          [[121.6, 38.904], [121.605, 38.904], [121.605, 38.909], [121.6, 38.909], [121.6, 38.904]],
          [[121.601, 38.905], [121.601, 38.906], [121.602, 38.906], [121.602, 38.905], [121.601, 38.905]],
        ],
      },
    },
  ]);
  const c = circlePiece('a', 121.602, 38.902, 300);
  const c16 = circlePiece('b', 121.606, 38.906, 120, 16);
  const l = bufferedLinePiece('w', [[121.6, 38.9005], [121.603, 38.9007], [121.607, 38.901]], 50);
  const jobs: GridJob[] = [
    { grid: grids.grids[0]!, pieces: [c, l] },
    { grid: grids.grids[1]!, pieces: [l, c16] },
    { grid: grids.grids[2]!, pieces: [c16] },
  ];

  it('gives back the same grids and pieces, so a thread computes what this one would', () => {
    const pieces = packPieces(jobs.flatMap((j) => j.pieces));
    expect(pieces.index.size).toBe(3); // a piece near several grids is written once
    expect(pieces.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    // Two batches over the same pieces.
    const back = [...unpackJobs(packJobs(jobs.slice(0, 2), pieces.index), pieces.data), ...unpackJobs(packJobs(jobs.slice(2), pieces.index), pieces.data)];
    expect(back.length).toBe(3);
    for (const [i, j] of jobs.entries()) {
      const b = back[i]!;
      expect(b.grid.id).toBe(j.grid.id);
      expect(b.grid.population).toBe(j.grid.population);
      expect(b.grid.areaM2).toBe(j.grid.areaM2);
      expect(b.grid.bbox).toEqual(j.grid.bbox);
      expect(b.grid.polygon.coordinates).toEqual(j.grid.polygon.coordinates);
      expect(b.pieces.map((p) => [p.polygons, p.bbox, p.circle, p.line, p.widthM])).toEqual(j.pieces.map((p) => [p.polygons, p.bbox, p.circle, p.line, p.widthM]));
      expect(coverGrid(b.grid, b.pieces)).toEqual(coverGrid(j.grid, j.pieces));
    }
    // Within a batch, a piece shared by two grids is rebuilt once.
    expect(back[0]!.pieces[1]).toBe(back[1]!.pieces[0]);
  });

  it('refuses a piece it cannot describe, and a job whose piece was not packed', () => {
    const odd = { key: 'x', polygons: [], bbox: [0, 0, 1, 1] as [number, number, number, number] };
    expect(() => packPieces([odd])).toThrow(/neither a circle nor a line/);
    expect(() => packJobs(jobs, packPieces([c]).index)).toThrow(/not in the packed pieces/);
  });
});
