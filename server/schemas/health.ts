/** Health (运行状态): engine, versions, the loaded dataset and its counts. */
import { Type } from 'typebox';
import { BboxSchema } from './common.js';

/**
 * What the loaded dataset says of itself (sample cities; see geodata/types.ts SampleCityMeta).
 * Properties in the order jsonb keeps them (shorter keys first), which is the order they are sent
 * in; others a dataset may carry follow.
 */
export const DatasetMeta = Type.Object(
  {
    crs: Type.Optional(Type.String()),
    bbox: Type.Optional(BboxSchema),
    name: Type.Optional(Type.String()),
    seed: Type.Optional(Type.Number()),
    size: Type.Optional(Type.String()),
    nameEn: Type.Optional(Type.String()),
    sample: Type.Optional(Type.Boolean({ description: 'generated, fictional data' })),
    loadedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: true },
);

export const Health = Type.Object({
  status: Type.Literal('ok'),
  engine: Type.Union([Type.Literal('embedded'), Type.Literal('server')]),
  postgres: Type.String(),
  postgis: Type.String(),
  dataset: Type.Union([Type.Null(), DatasetMeta]),
  counts: Type.Record(Type.String(), Type.Integer()),
});

export const Ready = Type.Object({ status: Type.Literal('ready') });
