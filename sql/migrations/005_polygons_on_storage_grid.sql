-- Polygons are stored on the 1e-9° grid with RFC 7946 winding (server/validation/polygons.ts):
-- what the API serves with 9 decimals is then exactly what is stored. Rows written before that
-- are put on the grid here. ST_ReducePrecision always returns a valid geometry; a row whose
-- reduced form would change type or vanish (none in practice: that needs parts under 1e-9°)
-- is left as it is. The result passes through its own 9-decimal text, so each coordinate is
-- exactly the double that text parses to (what the API serves). Versions and history are not
-- touched: this is storage, not an edit.

UPDATE grids g SET boundary = ST_ForcePolygonCCW(x.r)
  FROM (SELECT id, ST_SetSRID(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_ReducePrecision(boundary, 1e-9), 9)), 4326) AS r FROM grids) x
 WHERE g.id = x.id AND GeometryType(x.r) = 'POLYGON' AND NOT ST_IsEmpty(x.r)
   AND NOT ST_OrderingEquals(g.boundary, ST_ForcePolygonCCW(x.r));

UPDATE communities u SET boundary = ST_Multi(ST_ForcePolygonCCW(x.r))
  FROM (SELECT id, ST_SetSRID(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_CollectionExtract(ST_ReducePrecision(boundary, 1e-9), 3), 9)), 4326) AS r FROM communities) x
 WHERE u.id = x.id AND NOT ST_IsEmpty(x.r) AND NOT ST_OrderingEquals(u.boundary, ST_Multi(ST_ForcePolygonCCW(x.r)));

UPDATE streets u SET boundary = ST_Multi(ST_ForcePolygonCCW(x.r))
  FROM (SELECT id, ST_SetSRID(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_CollectionExtract(ST_ReducePrecision(boundary, 1e-9), 3), 9)), 4326) AS r FROM streets) x
 WHERE u.id = x.id AND NOT ST_IsEmpty(x.r) AND NOT ST_OrderingEquals(u.boundary, ST_Multi(ST_ForcePolygonCCW(x.r)));

UPDATE districts u SET boundary = ST_Multi(ST_ForcePolygonCCW(x.r))
  FROM (SELECT id, ST_SetSRID(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_CollectionExtract(ST_ReducePrecision(boundary, 1e-9), 3), 9)), 4326) AS r FROM districts) x
 WHERE u.id = x.id AND NOT ST_IsEmpty(x.r) AND NOT ST_OrderingEquals(u.boundary, ST_Multi(ST_ForcePolygonCCW(x.r)));
