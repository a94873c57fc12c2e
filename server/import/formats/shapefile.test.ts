import { describe, expect, it } from 'vitest';
import { readShapefileZip, encodingFromCpg } from './shapefile.js';
import { readKml, readKmz } from './kml.js';
import { writeShapefileZip } from '../../export/shapefile.js';
import { writeKml } from '../../export/kml.js';
import JSZip from 'jszip';

const square = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [121.6, 38.9],
      [121.61, 38.9],
      [121.61, 38.91],
      [121.6, 38.91],
      [121.6, 38.9],
    ],
  ],
};

describe('Shapefile read/write', () => {
  it('round-trips Chinese GBK attributes and polygons (outer ring counter-clockwise again)', async () => {
    const zip = await writeShapefileZip(
      [
        {
          name: 'g',
          fields: [
            { name: '名称', type: 'C' },
            { name: '人口', type: 'N', length: 10 },
          ],
          features: [{ geometry: square, properties: { 名称: '第一网格', 人口: 12 } }],
        },
      ],
      { encoding: 'gbk' },
    );
    const r = await readShapefileZip(zip);
    expect(r.encoding).toBe('gbk');
    expect(r.collection.features[0].properties).toEqual({ 名称: '第一网格', 人口: 12 });
    expect(r.collection.features[0].geometry).toEqual(square);
  });

  it('detects GBK without a .cpg and refuses metres without a .prj', async () => {
    const noCpg = await writeShapefileZip(
      [{ name: 'g', fields: [{ name: 'name', type: 'C' }], features: [{ geometry: square, properties: { name: '网格' } }] }],
      { encoding: 'gbk', omitCpg: true },
    );
    expect((await readShapefileZip(noCpg)).collection.features[0].properties!.name).toBe('网格');
    const metres = { type: 'Polygon' as const, coordinates: [square.coordinates[0].map(([x, y]) => [x * 5000, y * 100000])] };
    const bad = await writeShapefileZip([{ name: 'g', fields: [{ name: 'n', type: 'C' }], features: [{ geometry: metres, properties: { n: 'a' } }] }], {
      omitPrj: true,
    });
    await expect(readShapefileZip(bad)).rejects.toThrow(/投影坐标|projected/);
  });

  it('normalises .cpg names', () => {
    expect(encodingFromCpg('936')).toBe('gbk');
    expect(encodingFromCpg('UTF-8\n')).toBe('utf-8');
    expect(encodingFromCpg('GB2312')).toBe('gbk');
    expect(encodingFromCpg('no-such-codepage')).toBeNull();
  });
});

describe('KML / KMZ', () => {
  it('reads ExtendedData and MultiGeometry, and a KMZ holding doc.kml', async () => {
    const kml = writeKml(
      [{ type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [square.coordinates] }, properties: { name: '网格 & 1', code: '1' } }],
      'x',
    );
    const fc = readKml(kml);
    expect(fc.features[0].properties).toMatchObject({ name: '网格 & 1', code: '1' });
    expect(fc.features[0].geometry).toEqual(square); // one-part MultiGeometry → Polygon
    const zip = new JSZip();
    zip.file('doc.kml', kml);
    expect((await readKmz(await zip.generateAsync({ type: 'uint8array' }))).features).toHaveLength(1);
    expect(() => readKml('<html><body>not kml</body></html>')).toThrow(/KML/);
  });
});
