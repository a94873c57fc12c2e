/**
 * Imports into the database: parse and check the whole file first (pure, ./geojson.ts, ./osm.ts),
 * then write everything in one transaction. A bad file is rejected with every problem named and
 * nothing is written.
 */
import type { Feature, MultiPolygon, Point, Polygon } from 'geojson';
import type { Db } from '../db/connect.js';
import { insertAdminUnits, insertGrids, insertStations, replaceNetwork, setMeta, DatasetError } from '../db/dataset.repository.js';
import type { AdminProps } from '../../geodata/types.js';
import type { Crs } from './crs.js';
import { ADMIN_LEVEL_OF, parseGeoJsonImport, type AdminRecord, type GridRecord, type ImportError, type ImportKind, type StationRecord } from './geojson.js';
import { importOsmPbf, type OsmImportResult, type OsmReadProgress } from './osm.js';

export class ImportFailed extends Error {
  constructor(readonly errors: ImportError[]) {
    super(`导入失败，共 ${errors.length} 个问题，未写入任何数据 / import failed with ${errors.length} problem(s); nothing was written\n` + errors.map((e) => `  - ${e.message}`).join('\n'));
  }
}

const TABLE_OF: Record<ImportKind, 'districts' | 'streets' | 'communities' | 'grids' | 'stations'> = {
  districts: 'districts',
  streets: 'streets',
  communities: 'communities',
  grids: 'grids',
  stations: 'stations',
};

/** Codes already in the database are reported as errors (update-by-code comes with the data-exchange work). */
async function existingCodes(db: Db, kind: ImportKind, codes: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < codes.length; i += 5000) {
    const part = codes.slice(i, i + 5000);
    if (!part.length) continue;
    const rows = await db.kysely.selectFrom(TABLE_OF[kind]).select('code').where('code', 'in', part).execute();
    for (const r of rows) found.add(r.code);
  }
  return found;
}

export interface GeoJsonImportSummary {
  kind: ImportKind;
  inserted: number;
}

/**
 * Imports one GeoJSON FeatureCollection of `kind`, converting from `crs` to WGS84.
 * @throws ImportFailed naming every bad feature; nothing is written then.
 */
export async function importGeoJson(db: Db, kind: ImportKind, input: unknown, crs: Crs): Promise<GeoJsonImportSummary> {
  const parsed = parseGeoJsonImport(input, kind, crs);
  if (!parsed.ok) throw new ImportFailed(parsed.errors);
  const records = parsed.records as (AdminRecord | GridRecord | StationRecord)[];
  const dup = await existingCodes(db, kind, records.map((r) => r.code));
  if (dup.size) {
    throw new ImportFailed(
      records
        .map((r, i) => ({ r, i }))
        .filter(({ r }) => dup.has(r.code))
        .slice(0, 100)
        .map(({ r, i }) => ({ feature: i, id: r.code, message: `第 ${i + 1} 个要素（编码 ${r.code}）：数据库中已存在该编码 / feature #${i + 1} (code ${r.code}): this code already exists in the database` })),
    );
  }
  try {
    const inserted = await db.kysely.transaction().execute(async (tx) => {
      if (kind === 'grids') {
        return insertGrids(tx, (records as GridRecord[]).map(({ geometry, ...p }) => ({ type: 'Feature', geometry, properties: p }) as Feature<Polygon, GridRecord>), 'import');
      }
      if (kind === 'stations') {
        return insertStations(tx, (records as StationRecord[]).map(({ geometry, ...p }) => ({ type: 'Feature', geometry, properties: p }) as Feature<Point, StationRecord>), 'import');
      }
      const features = (records as AdminRecord[]).map(
        (r): Feature<Polygon | MultiPolygon, AdminProps> => ({ type: 'Feature', geometry: r.geometry, properties: { code: r.code, name: r.name, ...(r.parentCode ? { parentCode: r.parentCode } : {}) } }),
      );
      return insertAdminUnits(tx, ADMIN_LEVEL_OF[kind], features);
    });
    return { kind, inserted };
  } catch (err) {
    if (err instanceof DatasetError) {
      throw new ImportFailed(err.details.map((d) => ({ feature: d.feature ?? -1, id: d.code, message: err.message })));
    }
    throw err;
  }
}

/**
 * Replaces the street network with the walkable network of an OpenStreetMap extract.
 * Everything is read and built before the transaction starts.
 */
export async function importOsmNetwork(
  db: Db,
  path: string,
  opts: { respectAccess?: boolean; onProgress?: (p: OsmReadProgress) => void } = {},
): Promise<OsmImportResult> {
  const result = await importOsmPbf(path, opts);
  await db.kysely.transaction().execute(async (tx) => {
    await replaceNetwork(tx, result.network);
    await setMeta(tx, 'network', {
      source: path.split('/').pop(),
      attribution: '© OpenStreetMap contributors (ODbL)',
      edges: result.network.edges.length,
      nodes: result.network.nodes.length,
      importedAt: new Date().toISOString(),
    });
  });
  return result;
}
