import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreetNetwork } from '../network/types.js';
import {
  WALKABLE_HIGHWAYS,
  buildWalkNetwork,
  buildWalkNetworkWithStats,
  componentSizes,
  importOsmPbf,
  isWalkableWay,
  readOsmPbf,
  type OsmReadProgress,
  type OsmWay,
} from './osm.js';
import { encodeOsmPbf } from '../../tests/helpers/osm-pbf-writer.js';
import { sharedOsmExtract } from '../../tests/helpers/prerequisites.js';
import { geodesicDistanceM } from '../geo/measure.js';

const geodesicSum = (c: [number, number][]) => c.slice(1).reduce((s, p, i) => s + geodesicDistanceM(c[i]![0], c[i]![1], p[0], p[1]), 0);

// A grid of node coordinates near Dalian, 0.001° apart (~87 m east–west, ~111 m north–south):
// node (col 0..19, row 0..9) has id 100*row + col + 1, so ids 1..20, 101..120, …, 901..920.
const nodeCoords = new Map<number, [number, number]>();
for (let row = 0; row < 10; row++) {
  for (let col = 0; col < 20; col++) nodeCoords.set(100 * row + col + 1, [121.6 + col * 0.001, 38.91 + row * 0.001]);
}
const way = (id: number, refs: number[], highway = 'residential', extra: Record<string, string> = {}): OsmWay => ({
  id,
  refs,
  tags: { highway, ...extra },
});

const edgeSet = (net: StreetNetwork) => net.edges.map((e) => `${e.source}-${e.target}`).sort();
const nodeIds = (net: StreetNetwork) => net.nodes.map((n) => n.id).sort((a, b) => a - b);

describe('isWalkableWay / WALKABLE_HIGHWAYS', () => {
  it('accepts walkable classes and the *_link roads, rejects motorway and trunk', () => {
    for (const h of [
      'footway',
      'path',
      'pedestrian',
      'steps',
      'living_street',
      'residential',
      'service',
      'unclassified',
      'tertiary',
      'secondary',
      'primary',
      'track',
      'cycleway',
      'primary_link',
      'secondary_link',
      'tertiary_link',
    ]) {
      expect(isWalkableWay({ highway: h }), h).toBe(true);
    }
    expect(WALKABLE_HIGHWAYS.size).toBe(16);
    for (const h of ['motorway', 'motorway_link', 'trunk', 'trunk_link', 'construction', 'raceway', 'bus_stop']) {
      expect(isWalkableWay({ highway: h }), h).toBe(false);
    }
    expect(isWalkableWay({ building: 'yes' })).toBe(false);
  });

  it('ignores access tags by default and honours them with respectAccess', () => {
    expect(isWalkableWay({ highway: 'service', access: 'private' })).toBe(true);
    expect(isWalkableWay({ highway: 'service', access: 'private' }, { respectAccess: true })).toBe(false);
    expect(isWalkableWay({ highway: 'service', access: 'no' }, { respectAccess: true })).toBe(false);
    expect(isWalkableWay({ highway: 'service', access: 'private', foot: 'yes' }, { respectAccess: true })).toBe(true);
    expect(isWalkableWay({ highway: 'primary', foot: 'no' }, { respectAccess: true })).toBe(false);
    expect(isWalkableWay({ highway: 'primary', access: 'destination' }, { respectAccess: true })).toBe(true);
  });
});

describe('buildWalkNetwork on hand-written ways', () => {
  it('splits a T junction at the shared node', () => {
    // 1 — 2 — 3 along row 0, and a footway 2 → 102 → 202 going north from the middle.
    const net = buildWalkNetwork([way(1, [1, 2, 3], 'residential', { name: '长江路' }), way(2, [2, 102, 202], 'footway')], nodeCoords);
    expect(edgeSet(net)).toEqual(['1-2', '2-202', '2-3']);
    expect(nodeIds(net)).toEqual([1, 2, 3, 202]); // 102 is an interior shape point, not a vertex
    expect(net.edges.map((e) => e.id)).toEqual([1, 2, 3]);
    const e = net.edges.find((x) => x.source === 2 && x.target === 202)!;
    expect(e.coords).toEqual([nodeCoords.get(2), nodeCoords.get(102), nodeCoords.get(202)]);
    expect(e.highway).toBe('footway');
    expect(e.walkable).toBe(true);
    expect(e.wayId).toBe(2);
    expect(e.name).toBeNull();
    expect(net.edges[0].name).toBe('长江路');
    // The ellipsoidal length: GeographicLib's geodesic distances summed, to a millimetre.
    expect(Math.abs(e.lengthM - geodesicSum(e.coords))).toBeLessThan(1e-3);
    expect(e.lengthM).toBeGreaterThan(200);
    expect(e.lengthM).toBeLessThan(250);
    expect(componentSizes(net)).toEqual([4]);
  });

  it('keeps a free-standing closed loop as one self-loop edge, and splits a loop that touches another way', () => {
    const loop = way(10, [11, 12, 112, 111, 11], 'pedestrian', { area: 'yes' });
    const alone = buildWalkNetworkWithStats([loop], nodeCoords);
    expect(edgeSet(alone.network)).toEqual(['11-11']);
    expect(nodeIds(alone.network)).toEqual([11]);
    expect(alone.stats.selfLoops).toBe(1);
    expect(alone.network.edges[0].coords).toHaveLength(5);

    // A footway from 112 to 114 touches the loop at 112: the loop is cut there into two edges.
    const touched = buildWalkNetwork([loop, way(11, [112, 113, 114], 'footway')], nodeCoords);
    expect(edgeSet(touched)).toEqual(['11-112', '112-11', '112-114']);
    expect(nodeIds(touched)).toEqual([11, 112, 114]);
    expect(componentSizes(touched)).toEqual([3]);
  });

  it('cuts a way that passes through the same node twice (figure of eight)', () => {
    // 301 → 302 → 303 → 403 → 402 → 302 → 304: node 302 is used twice by the same way.
    const net = buildWalkNetwork([way(30, [301, 302, 303, 403, 402, 302, 304], 'path')], nodeCoords);
    expect(edgeSet(net)).toEqual(['301-302', '302-302', '302-304']);
  });

  it('ignores non-walkable ways, which do not split walkable ones', () => {
    const net = buildWalkNetwork(
      [
        way(40, [501, 502, 503]),
        way(41, [502, 602, 702], 'motorway'),
        way(42, [503, 504], 'trunk_link'),
        { id: 43, refs: [601, 701], tags: { railway: 'rail' } },
      ],
      nodeCoords,
    );
    expect(edgeSet(net)).toEqual(['501-503']);
    expect(net.edges[0].coords).toHaveLength(3);
  });

  it('splits two ways crossing at a shared node, but not ways that only cross geometrically (bridges)', () => {
    const shared = buildWalkNetwork([way(50, [801, 802, 803]), way(51, [702, 802, 902], 'footway')], nodeCoords);
    expect(edgeSet(shared)).toEqual(['702-802', '801-802', '802-803', '802-902']);
    expect(nodeIds(shared)).toEqual([702, 801, 802, 803, 902]);

    // 801 → 803 and 702 → 902 cross at 802's position but share no node: two separate components.
    const bridge = buildWalkNetwork([way(52, [801, 803]), way(53, [702, 902], 'footway')], nodeCoords);
    expect(bridge.edges).toHaveLength(2);
    expect(componentSizes(bridge)).toEqual([2, 2]);
  });

  it('skips (and counts) ways with missing node coordinates or fewer than two nodes', () => {
    const { network, stats } = buildWalkNetworkWithStats([way(60, [1, 2, 999_999]), way(61, [2, 3]), way(62, [5]), way(63, [4, 4])], nodeCoords);
    expect(stats.waysMissingNodes).toBe(1);
    expect(stats.waysDegenerate).toBe(2);
    expect(stats.duplicateRefsRemoved).toBe(1);
    expect(stats.waysUsed).toBe(1);
    // Way 60 is gone, so node 2 is only an endpoint of way 61.
    expect(edgeSet(network)).toEqual(['2-3']);
  });

  it('collapses consecutive duplicate refs and keeps zero-length edges between distinct co-located nodes', () => {
    const coords = new Map(nodeCoords);
    coords.set(5000, nodeCoords.get(3)!); // a second node exactly on top of node 3
    const { network, stats } = buildWalkNetworkWithStats([way(70, [1, 2, 2, 3]), way(71, [3, 5000]), way(72, [5000, 4])], coords);
    expect(stats.duplicateRefsRemoved).toBe(1);
    expect(network.edges[0].coords).toHaveLength(3);
    expect(stats.zeroLengthEdges).toBe(1);
    expect(network.edges.find((e) => e.wayId === 71)!.lengthM).toBe(0);
  });

  it('accepts node coordinates as a plain object, applies respectAccess, and does not modify its inputs', () => {
    const ways = [way(80, [1, 2, 3]), way(81, [2, 102], 'service', { access: 'private' })];
    const before = JSON.stringify(ways);
    const record = Object.fromEntries(nodeCoords) as Record<number, [number, number]>;
    expect(buildWalkNetwork(ways, record).edges).toHaveLength(3);
    expect(buildWalkNetwork(ways, record, { respectAccess: true }).edges).toHaveLength(1);
    expect(JSON.stringify(ways)).toBe(before);
  });
});

describe('readOsmPbf on a tiny generated .osm.pbf', () => {
  it('reads walkable ways and only the nodes they use, and builds the same network as from JS input', async () => {
    const ways: OsmWay[] = [
      way(1, [1, 2, 3], 'residential', { name: '中山路', surface: 'asphalt' }),
      way(2, [2, 102, 202], 'footway'),
      way(3, [3, 4], 'motorway'),
      { id: 4, refs: [5, 6, 106, 105, 5], tags: { building: 'yes' } },
    ];
    const nodes = [...nodeCoords].map(([id, [lon, lat]]) => ({ id, lon, lat }));
    const dir = mkdtempSync(path.join(tmpdir(), 'lifecircle-osm-'));
    try {
      const file = path.join(dir, 'tiny.osm.pbf');
      writeFileSync(file, encodeOsmPbf(nodes, ways));
      const progress: OsmReadProgress[] = [];
      const read = await readOsmPbf(file, (p) => progress.push(p));
      expect(read.ways.map((w) => w.id)).toEqual([1, 2]);
      expect(read.ways[0].tags).toEqual({ highway: 'residential', name: '中山路' }); // unneeded tags dropped
      expect([...read.nodeCoords.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 102, 202]);
      expect(read.nodeCoords.get(102)![0]).toBeCloseTo(121.601, 7);
      expect(read.nodeCoords.get(102)![1]).toBeCloseTo(38.911, 7);
      expect(read.stats.nodesInFile).toBe(200);
      expect(read.stats.waysInFile).toBe(4);
      expect(progress.some((p) => p.pass === 1) && progress.some((p) => p.pass === 2)).toBe(true);
      expect(progress.at(-1)!.nodesFound).toBe(5);

      const fromFile = buildWalkNetwork(read.ways, read.nodeCoords);
      const fromJs = buildWalkNetwork(ways, nodeCoords);
      expect(edgeSet(fromFile)).toEqual(edgeSet(fromJs));
      for (let i = 0; i < fromJs.edges.length; i++) expect(fromFile.edges[i].lengthM).toBeCloseTo(fromJs.edges[i].lengthM, 3);
      // importOsmPbf is the same read and build, with components and timings.
      const imported = await importOsmPbf(file, { respectAccess: true });
      expect(imported.network).toEqual(buildWalkNetwork(read.ways, read.nodeCoords, { respectAccess: true }));
      expect(imported.components).toEqual(componentSizes(imported.network));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readOsmPbf errors', () => {
  it('rejects for a missing file and for a file that is not .osm.pbf', async () => {
    await expect(readOsmPbf(path.join(tmpdir(), 'does-not-exist.osm.pbf'))).rejects.toThrow(/ENOENT/);
    const dir = mkdtempSync(path.join(tmpdir(), 'lifecircle-osm-'));
    try {
      const file = path.join(dir, 'junk.osm.pbf');
      writeFileSync(file, Buffer.from('\u0000\u0000\u0000\u0005hello, this is not a pbf file'));
      await expect(readOsmPbf(file)).rejects.toThrow(/not a valid \.osm\.pbf file/);
      // A truncated file (the data block cut in half) is an error too, not a silent partial read.
      const full = encodeOsmPbf(
        [
          { id: 1, lon: 121.6, lat: 38.91 },
          { id: 2, lon: 121.601, lat: 38.91 },
        ],
        [way(1, [1, 2])],
      );
      writeFileSync(file, full.subarray(0, full.length - 20));
      await expect(readOsmPbf(file)).rejects.toThrow(/not a valid \.osm\.pbf file, or truncated \(input format error\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Real extracts: ../shared/geodata/osm/*.osm.pbf live beside the repository, not in it.
// Every number below is derived without this importer, by osmium and an independent script:
//   osmium cat -f opl ../shared/geodata/osm/NAME.osm.pbf | python3 tests/helpers/osm-reference.py [--respect-access]
// (it prints ways, edges, vertices, components, largest, km); monaco's reference counts are also
// those of ../shared/geodata/osm/README.md.
interface Expected {
  edges: number;
  vertices: number;
  components: number;
  largest: number;
  ways: number;
  km: number;
}
const REAL: Record<string, { reference: Expected; respectAccess: Expected }> = {
  monaco: {
    reference: { edges: 5327, vertices: 4092, components: 22, largest: 3978, ways: 2853, km: 485.3 },
    respectAccess: { edges: 5156, vertices: 3984, components: 34, largest: 3841, ways: 2853, km: 467.2 },
  },
  andorra: {
    reference: { edges: 2789, vertices: 2355, components: 28, largest: 2281, ways: 1606, km: 852.6 },
    respectAccess: { edges: 2560, vertices: 2231, components: 46, largest: 1827, ways: 1606, km: 819.1 },
  },
  liechtenstein: {
    reference: { edges: 7880, vertices: 6254, components: 19, largest: 6157, ways: 4656, km: 1140.8 },
    respectAccess: { edges: 7830, vertices: 6224, components: 24, largest: 6115, ways: 4656, km: 1137.2 },
  },
};

for (const [name, expected] of Object.entries(REAL)) {
  const { file, present: exists } = sharedOsmExtract(name, `[osm.test] the ${name} extract test`);
  describe(`real extract: ${name}.osm.pbf`, () => {
    it.skipIf(!exists)(
      `matches the expected walkable network (${expected.reference.edges} edges, ${expected.reference.vertices} vertices)`,
      async () => {
        // Read once (access tags are applied when building), then build in both modes.
        const t0 = performance.now();
        const read = await readOsmPbf(file);
        const t1 = performance.now();
        const built = buildWalkNetworkWithStats(read.ways, read.nodeCoords);
        const r = {
          read: read.stats,
          build: built.stats,
          network: built.network,
          components: componentSizes(built.network),
          ms: { read: t1 - t0, build: performance.now() - t1 },
        };
        const net = r.network;
        expect(r.read.nodesFound).toBe(r.read.nodesNeeded);
        expect(r.build.waysIn).toBe(expected.reference.ways);
        expect(r.build.waysMissingNodes).toBe(0);
        expect(net.edges.length).toBe(expected.reference.edges);
        expect(net.nodes.length).toBe(expected.reference.vertices);
        expect(r.components.length).toBe(expected.reference.components);
        expect(r.components[0]).toBe(expected.reference.largest);
        expect(r.build.lengthM / 1000).toBeCloseTo(expected.reference.km, 1);

        // Structural invariants.
        const byId = new Map(net.nodes.map((n) => [n.id, n]));
        expect(byId.size).toBe(net.nodes.length);
        net.edges.forEach((e, i) => {
          expect(e.id).toBe(i + 1);
          const s = byId.get(e.source)!;
          const t = byId.get(e.target)!;
          expect(e.coords[0]).toEqual([s.lon, s.lat]);
          expect(e.coords[e.coords.length - 1]).toEqual([t.lon, t.lat]);
          expect(e.coords.length).toBeGreaterThanOrEqual(2);
          expect(WALKABLE_HIGHWAYS.has(e.highway)).toBe(true);
        });
        console.info(
          `[osm.test] ${name}: ${net.edges.length} edges, ${net.nodes.length} vertices, ${r.components.length} parts ` +
            `(largest ${r.components[0]}), ${(r.build.lengthM / 1000).toFixed(1)} km, ${r.build.selfLoops} self-loops; ` +
            `read ${r.ms.read.toFixed(0)} ms + build ${r.ms.build.toFixed(0)} ms`,
        );

        // With access tags honoured (not the reference mode).
        const raBuilt = buildWalkNetworkWithStats(read.ways, read.nodeCoords, { respectAccess: true });
        const ra = { network: raBuilt.network, build: raBuilt.stats, components: componentSizes(raBuilt.network) };
        expect(ra.network.edges.length).toBe(expected.respectAccess.edges);
        expect(ra.network.nodes.length).toBe(expected.respectAccess.vertices);
        expect(ra.components.length).toBe(expected.respectAccess.components);
        expect(ra.components[0]).toBe(expected.respectAccess.largest);
        expect(ra.build.lengthM / 1000).toBeCloseTo(expected.respectAccess.km, 1);
      },
      60_000,
    );
  });
}
