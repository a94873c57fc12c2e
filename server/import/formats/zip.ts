/**
 * Zip archives of uploads (KMZ, Shapefile zip, XLSX), opened here before any library sees them
 * (pure, no I/O). The central directory is walked and every entry inflated by node:zlib with an
 * output cap, so an archive cannot expand past `maxUnzippedBytes` in total, nor one entry past
 * `maxZipRatio` × its compressed size (once past `ratioFloorBytes`): a zip bomb costs at most the
 * cap, then 413. Broken archives — truncated, another file type, entries that overlap or hide
 * between the directory's entries, sizes or CRCs that do not match, encryption — are a
 * FileFormatError (422). JSZip and ExcelJS would inflate whole archives into memory unchecked
 * (docs libraries.md, trap 14); ExcelJS still reads the XLSX after this check (its streaming
 * reader only inflates what this walk has measured).
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { FileFormatError } from './errors.js';
import { DEFAULT_UPLOAD_LIMITS, LimitExceeded, mb, type UploadLimits } from './limits.js';

/** How the archive is named in messages, e.g. { zh: 'KMZ', en: 'KMZ' }. */
export interface ZipLabel {
  zh: string;
  en: string;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_END64_LOCATOR = 0x07064b50;

/** What a file that is not a zip starts with, to say so (an old .xls is the common one). */
function notZipKind(b: Uint8Array): ZipLabel | null {
  const s = (n: number) => String.fromCharCode(...b.subarray(0, n));
  if (b.length === 0) return { zh: '空文件', en: 'an empty file' };
  if (b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0)
    return { zh: '旧版 Excel .xls 文件（请另存为 .xlsx）', en: 'an old Excel .xls file (save it as .xlsx)' };
  if (s(4) === '%PDF') return { zh: 'PDF 文件', en: 'a PDF file' };
  if (s(4) === 'Rar!') return { zh: 'RAR 压缩包（请改用 zip）', en: 'a RAR archive (use zip)' };
  if (b[0] === 0x37 && b[1] === 0x7a && b[2] === 0xbc && b[3] === 0xaf) return { zh: '7z 压缩包（请改用 zip）', en: 'a 7z archive (use zip)' };
  if (b[0] === 0x1f && b[1] === 0x8b) return { zh: 'gzip 压缩文件（请改用 zip）', en: 'a gzip file (use zip)' };
  if (/^\s*</.test(s(Math.min(64, b.length)))) return { zh: 'XML/HTML 文本', en: 'XML/HTML text' };
  return null;
}

function broken(label: ZipLabel, zh: string, en: string): FileFormatError {
  return new FileFormatError(`${label.zh} 不是有效的 zip 压缩包：${zh}`, `the ${label.en} is not a valid zip archive: ${en}`);
}

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  localOffset: number;
}

function findEnd(b: Uint8Array, v: DataView): number {
  const stop = Math.max(0, b.length - 22 - 0xffff);
  for (let i = b.length - 22; i >= stop; i--) if (v.getUint32(i, true) === SIG_END) return i;
  return -1;
}

function centralDirectory(b: Uint8Array, label: ZipLabel, limits: UploadLimits): { entries: CentralEntry[]; cdOffset: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 4 || (v.getUint32(0, true) !== SIG_LOCAL && v.getUint32(0, true) !== SIG_END)) {
    const kind = notZipKind(b);
    throw broken(
      label,
      kind ? `这是${kind.zh}` : '文件开头不是 zip 标记（PK）',
      kind ? `this is ${kind.en}` : 'the file does not start with the zip signature (PK)',
    );
  }
  const end = findEnd(b, v);
  if (end < 0) throw broken(label, '找不到目录（文件可能被截断）', 'no central directory found (the file may be truncated)');
  let count = v.getUint16(end + 10, true);
  let cdSize = v.getUint32(end + 12, true);
  let cdOffset = v.getUint32(end + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = end - 20;
    if (loc < 0 || v.getUint32(loc, true) !== SIG_END64_LOCATOR) throw broken(label, 'ZIP64 目录缺失', 'the ZIP64 directory is missing');
    const e64 = Number(v.getBigUint64(loc + 8, true));
    if (e64 + 56 > b.length || v.getUint32(e64, true) !== SIG_END64) throw broken(label, 'ZIP64 目录损坏', 'the ZIP64 directory is damaged');
    count = Number(v.getBigUint64(e64 + 32, true));
    cdSize = Number(v.getBigUint64(e64 + 40, true));
    cdOffset = Number(v.getBigUint64(e64 + 48, true));
  }
  if (count > limits.maxZipEntries) {
    throw new LimitExceeded(
      `${label.zh} 中的文件数 ${count} 超过上限 ${limits.maxZipEntries}`,
      `the ${label.en} holds ${count} entries, more than the limit of ${limits.maxZipEntries}`,
      { limit: 'zip_entries', max: limits.maxZipEntries },
    );
  }
  if (cdOffset + cdSize > end)
    throw broken(label, '目录位置超出文件（文件可能被截断）', 'the central directory lies outside the file (the file may be truncated)');
  const entries: CentralEntry[] = [];
  let p = cdOffset;
  const utf8 = new TextDecoder('utf-8');
  for (let i = 0; i < count; i++) {
    if (p + 46 > end || v.getUint32(p, true) !== SIG_CENTRAL) throw broken(label, '目录条目损坏', 'a central directory entry is damaged');
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > end) throw broken(label, '目录条目损坏', 'a central directory entry is damaged');
    const e: CentralEntry = {
      name: utf8.decode(b.subarray(p + 46, p + 46 + nameLen)),
      flags: v.getUint16(p + 8, true),
      method: v.getUint16(p + 10, true),
      crc: v.getUint32(p + 16, true),
      compressed: v.getUint32(p + 20, true),
      size: v.getUint32(p + 24, true),
      localOffset: v.getUint32(p + 42, true),
    };
    // ZIP64 extra field (0x0001): the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const tag = v.getUint16(x, true);
      const len = v.getUint16(x + 2, true);
      if (tag === 0x0001) {
        let q = x + 4;
        const next = () => {
          if (q + 8 > x + 4 + len) throw broken(label, 'ZIP64 字段损坏', 'a ZIP64 field is damaged');
          const n = Number(v.getBigUint64(q, true));
          q += 8;
          return n;
        };
        if (e.size === 0xffffffff) e.size = next();
        if (e.compressed === 0xffffffff) e.compressed = next();
        if (e.localOffset === 0xffffffff) e.localOffset = next();
      }
      x += 4 + len;
    }
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return { entries, cdOffset };
}

/**
 * Opens a zip within `limits`: every entry's inflated bytes by name (directories left out), or
 * only those `keep` accepts — every entry is still inflated and counted.
 * @throws LimitExceeded (413) past a limit; FileFormatError (422) for a broken archive.
 */
export function unzipWithin(
  bytes: Uint8Array,
  label: ZipLabel,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
  keep: (name: string) => boolean = () => true,
): Map<string, Uint8Array> {
  const { entries, cdOffset } = centralDirectory(bytes, label, limits);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, Uint8Array>();
  // Local entries must follow each other without room for another entry between them: a streaming
  // reader (ExcelJS's) would inflate an entry the directory does not list.
  const located = entries.map((e) => {
    const o = e.localOffset;
    if (o + 30 > cdOffset || v.getUint32(o, true) !== SIG_LOCAL)
      throw broken(label, `条目 ${e.name} 的位置错误`, `entry ${e.name} is not where the directory says`);
    const start = o + 30 + v.getUint16(o + 26, true) + v.getUint16(o + 28, true);
    const stop = start + e.compressed;
    if (stop > cdOffset) throw broken(label, `条目 ${e.name} 被截断`, `entry ${e.name} is truncated`);
    // A data descriptor (flag 8) follows the data: 12 to 24 bytes.
    return { e, o, start, minStop: stop + (e.flags & 8 ? 12 : 0), maxStop: stop + (e.flags & 8 ? 24 : 0) };
  });
  let atMin = 0;
  let atMax = 0;
  for (const l of [...located].sort((a, b) => a.o - b.o)) {
    if (l.o < atMin) throw broken(label, `条目 ${l.e.name} 与其他条目重叠`, `entry ${l.e.name} overlaps another entry`);
    if (l.o - atMax >= 30) throw broken(label, '条目之间有目录未列出的数据', 'there is data between entries that the directory does not list');
    atMin = l.minStop;
    atMax = l.maxStop;
  }
  if (cdOffset - atMax >= 30) throw broken(label, '条目之后有目录未列出的数据', 'there is data after the entries that the directory does not list');

  let total = 0;
  for (const { e, start } of located) {
    if (e.name.endsWith('/')) continue;
    if (e.flags & 1) throw broken(label, `条目 ${e.name} 已加密`, `entry ${e.name} is encrypted`);
    const remaining = limits.maxUnzippedBytes - total;
    const byRatio = Math.max(limits.ratioFloorBytes, limits.maxZipRatio * e.compressed);
    const tooBig = (ratio: boolean) =>
      ratio
        ? new LimitExceeded(
            `${label.zh} 中的 ${e.name} 压缩比超过上限 ${limits.maxZipRatio}:1（疑似压缩炸弹），未读取`,
            `${e.name} in the ${label.en} expands more than ${limits.maxZipRatio}:1, the limit (a likely zip bomb); not read`,
            { limit: 'zip_ratio', max: limits.maxZipRatio, entry: e.name },
          )
        : new LimitExceeded(
            `${label.zh} 解压后超过上限 ${mb(limits.maxUnzippedBytes)}（在 ${e.name} 处），未读取`,
            `the ${label.en} expands to more than ${mb(limits.maxUnzippedBytes)}, the limit (at ${e.name}); not read`,
            { limit: 'unzipped_bytes', max: limits.maxUnzippedBytes, entry: e.name },
          );
    if (e.size > byRatio && byRatio < remaining) throw tooBig(true);
    if (e.size > remaining) throw tooBig(false);
    const raw = bytes.subarray(start, start + e.compressed);
    let data: Uint8Array;
    if (e.method === 0) {
      data = raw;
    } else if (e.method === 8) {
      const cap = Math.min(remaining, byRatio);
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, cap) });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig(byRatio < remaining);
        throw broken(label, `条目 ${e.name} 无法解压（${(err as Error).message}）`, `entry ${e.name} cannot be inflated (${(err as Error).message})`);
      }
    } else {
      throw broken(label, `条目 ${e.name} 使用了不支持的压缩方式 ${e.method}`, `entry ${e.name} uses an unsupported compression method ${e.method}`);
    }
    if (data.length !== e.size || crc32(data) !== e.crc)
      throw broken(label, `条目 ${e.name} 的大小或校验和不符（文件损坏）`, `entry ${e.name} does not match its size or checksum (the file is damaged)`);
    total += data.length;
    if (keep(e.name)) out.set(e.name, data);
  }
  return out;
}
