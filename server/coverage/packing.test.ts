import { describe, expect, it } from 'vitest';
import { CoverageEngine, PreparedGrids, coverGrid } from './engine.js';
import { bufferedLinePiece, circlePiece, type Piece } from './pieces.js';
import { packGrids, unpackGrid } from './packing.js';
import { diffPieceSets, pieceAt, pieceBox, PieceReader, pieceSetOf } from './piece-set.js';

const square = (id: number, x: number, y: number, d = 0.004) => ({
  id,
  population: 100 * id,
  polygon: {
    type: 'Polygon' as const,
    coordinates: [
      [
        [x, y],
        [x + d, y],
        [x + d, y + d],
        [x, y + d],
        [x, y],
      ],
    ],
  },
});

const grids = new PreparedGrids([
  square(1, 121.6, 38.9),
  square(2, 121.604, 38.9),
  {
    ...square(3, 121.6, 38.904),
    polygon: {
      type: 'Polygon',
      coordinates: [
        [
          [121.6, 38.904],
          [121.605, 38.904],
          [121.605, 38.909],
          [121.6, 38.909],
          [121.6, 38.904],
        ],
        [
          [121.601, 38.905],
          [121.601, 38.906],
          [121.602, 38.906],
          [121.602, 38.905],
          [121.601, 38.905],
        ],
      ],
    },
  },
]);
const c = circlePiece('a', 121.602, 38.902, 300);
const c16 = circlePiece('b', 121.606, 38.906, 120, 16);
const line = [
  [121.6, 38.9005],
  [121.603, 38.9007],
  [121.607, 38.901],
];
const l = bufferedLinePiece('w', line, 50);
const shape = (p: Piece) => [p.polygons, p.bbox, p.circle, p.xy, p.widthM];

describe('packGrids / unpackGrid', () => {
  it('gives back every grid as prepared, holes included, on shared memory', () => {
    const data = packGrids(grids.grids);
    expect(data.buffer).toBeInstanceOf(SharedArrayBuffer);
    grids.grids.forEach((g, i) =>
      expect(unpackGrid(data, i)).toEqual({ id: g.id, population: g.population, areaM2: g.areaM2, bbox: g.bbox, polygon: g.polygon }),
    );
  });
});

describe('PieceSet', () => {
  it('rebuilds each piece as its constructor made it, with its bbox, on shared memory', () => {
    const set = pieceSetOf([c, l, c16]);
    expect(set.count).toBe(3);
    expect(set.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(set.index).toBeInstanceOf(SharedArrayBuffer);
    [c, l, c16].forEach((p, i) => {
      expect(shape(pieceAt(set, i))).toEqual(shape(p));
      expect(pieceBox(set, i)).toEqual(p.bbox);
    });
  });

  it('a reader finds exactly the pieces whose bbox touches a grid, each rebuilt once', () => {
    const set = pieceSetOf([c, l, c16]);
    const r = new PieceReader(set);
    for (const g of grids.grids) {
      const near = r.near(g.bbox);
      const touching = [c, l, c16].filter((p) => p.bbox[0] <= g.bbox[2] && p.bbox[2] >= g.bbox[0] && p.bbox[1] <= g.bbox[3] && p.bbox[3] >= g.bbox[1]);
      expect(near.map(shape).sort()).toEqual(touching.map(shape).sort());
      expect(coverGrid(g, near)).toEqual(coverGrid(g, touching));
    }
    const a = r.near(grids.grids[0]!.bbox).find((p) => p.xy);
    const b = r.near(grids.grids[1]!.bbox).find((p) => p.xy);
    expect(a).toBeDefined();
    expect(a).toBe(b);
  });

  it('diff: equal records are the same piece wherever they sit; a moved or resized piece is removed + added', () => {
    const before = pieceSetOf([c, l, c16]);
    const same = pieceSetOf([c16, c, l]); // other order, rebuilt from scratch
    expect(diffPieceSets(before, same)).toEqual({ removed: [], added: [] });
    const moved = circlePiece('a', 121.6021, 38.902, 300);
    const wider = bufferedLinePiece('w', line, 60);
    const after = pieceSetOf([moved, wider, c16]);
    expect(diffPieceSets(before, after)).toEqual({ removed: [0, 1], added: [0, 1] });
    expect(diffPieceSets(pieceSetOf([]), before)).toEqual({ removed: [], added: [0, 1, 2] });
    // A 32-gon and a 64-gon of one circle are different pieces.
    expect(diffPieceSets(pieceSetOf([circlePiece('x', 121.6, 38.9, 100, 32)]), pieceSetOf([circlePiece('x', 121.6, 38.9, 100)])).added).toEqual([0]);
  });

  it('refuses a piece it cannot describe', () => {
    const odd = { key: 'x', polygons: [], bbox: [0, 0, 1, 1] as [number, number, number, number] };
    expect(() => pieceSetOf([odd])).toThrow(/neither a circle nor a line/);
  });

  it('an engine over a packed set answers as one over the same pieces one by one', () => {
    const a = new CoverageEngine(grids);
    a.setAll(pieceSetOf([c, l, c16]));
    for (const g of grids.grids) {
      const touching = [c, l, c16].filter((p) => p.bbox[0] <= g.bbox[2] && p.bbox[2] >= g.bbox[0] && p.bbox[1] <= g.bbox[3] && p.bbox[3] >= g.bbox[1]);
      expect(a.get(g.id)).toEqual(coverGrid(g, touching));
    }
  });
});
