/**
 * A walkable street network as nodes and edges, the shape shared by the sample-city generator,
 * the OSM importer and the `network_nodes` / `network_edges` tables.
 */

export interface NetworkNode {
  /** Stable id within the network (OSM node id for OSM imports). */
  id: number;
  lon: number;
  lat: number;
}

export interface NetworkEdge {
  /** Stable id within the network (1..n). */
  id: number;
  source: number;
  target: number;
  /** WGS84 vertices from source to target, inclusive of both ends. */
  coords: [number, number][];
  /** Geodesic length in metres. */
  lengthM: number;
  /** OSM highway class (footway, residential, primary, …). */
  highway: string;
  walkable: boolean;
  name?: string | null;
  /** OSM way id the edge was cut from, when imported from OSM. */
  wayId?: number | null;
}

export interface StreetNetwork {
  nodes: NetworkNode[];
  edges: NetworkEdge[];
}
