/**
 * The work done in the file-reading process (./file-process.ts): reading an uploaded file into
 * validated records, and previewing a table. Pure functions of their input; a file-format error
 * or an upload limit crosses the process boundary as data (an Error's class and fields do not).
 */
import { FileFormatError } from '../import/formats/errors.js';
import { LimitExceeded } from '../import/formats/limits.js';
import { previewTableFile, readImportFile } from '../import/formats/read.js';

export type FileTask = { kind: 'read-import'; args: Parameters<typeof readImportFile> } | { kind: 'preview-table'; args: Parameters<typeof previewTableFile> };

export type FileTaskAnswer =
  | { ok: unknown }
  | { fileFormatError: { zh: string; en: string; code: FileFormatError['code'] } }
  | { limitExceeded: { zh: string; en: string; details: LimitExceeded['details'] } }
  | { error: string };

export async function runFileTask(task: FileTask): Promise<FileTaskAnswer> {
  try {
    if (task.kind === 'read-import') return { ok: await readImportFile(...task.args) };
    return { ok: await previewTableFile(...task.args) };
  } catch (err) {
    if (err instanceof LimitExceeded) return { limitExceeded: { zh: err.zh, en: err.en, details: err.details } };
    if (err instanceof FileFormatError) return { fileFormatError: { zh: err.zh, en: err.en, code: err.code } };
    return { error: String((err as Error)?.stack ?? err) };
  }
}
