/**
 * One shape for "what is wrong with this input", shared by grid/station editing and the importers:
 * a machine-readable code and the same sentence in Chinese and English (Chinese first in every
 * joined message), optionally where (a [lon, lat]), which other grid, and how large.
 *
 * On the wire editing sends these objects as they are (`details.problems` of a 422). The importers
 * map them at their edge to their own report shapes (`ImportError` with `reason`, report rows with
 * `reason_zh` / `reason_en`), which clients and tests already read.
 */
import { ApiError } from '../errors.js';

/** A sentence in both languages. */
export interface Message {
  zh: string;
  en: string;
}

export interface Problem<C extends string = string> extends Message {
  code: C;
  /** Where, as [lon, lat], when the problem has a place. */
  location?: [number, number];
  /** The grid concerned, when it is not the edited one. */
  grid?: { id: number; code: string };
  area_m2?: number;
}

/** A checked value or why it was refused. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** A 422 naming every problem after a lead-in ("修改未保存：a；b" / "The edit was not saved: a; b"). */
export function problemsError(code: string, leadZh: string, leadEn: string, problems: Problem[]): ApiError {
  return new ApiError(422, code, leadZh + problems.map((p) => p.zh).join('；'), leadEn + problems.map((p) => p.en).join('; '), { problems });
}

/** An edit (grid or station) refused for these problems; nothing was written. */
export const editRejected = (problems: Problem[]) => problemsError('edit_rejected', '修改未保存：', 'The edit was not saved: ', problems);
