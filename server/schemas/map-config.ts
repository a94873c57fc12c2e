/** What the web map needs before it draws: an optional raster basemap and the data attributions. */
import { Type } from 'typebox';

export const MapConfig = Type.Object({
  basemap: Type.Union([
    Type.Null(),
    Type.Object({ tiles: Type.Array(Type.String()), attribution: Type.String(), maxzoom: Type.Integer(), tileSize: Type.Integer() }),
  ]),
  attributions: Type.Array(Type.String(), { description: 'data attributions to show on the map' }),
});
