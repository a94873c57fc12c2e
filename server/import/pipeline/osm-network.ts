/** The street network from OpenStreetMap: read and built by ../osm.ts, then written in one transaction. */
import type { Db } from '../../db/connect.js';
import { replaceNetwork, setMeta } from '../../db/dataset.repository.js';
import { importOsmPbf, type OsmImportResult, type OsmReadProgress } from '../osm.js';

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
