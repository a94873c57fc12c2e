import { deflateRawSync } from 'node:zlib';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from './errors.js';
import { DEFAULT_UPLOAD_LIMITS, LimitExceeded } from './limits.js';
import { unzipWithin } from './zip.js';

const label = { zh: '压缩包', en: 'archive' };
const zipOf = async (files: Record<string, Uint8Array | string>) => {
  const z = new JSZip();
  for (const [n, d] of Object.entries(files)) z.file(n, d);
  return z.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
};
const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('nothing thrown');
};

describe('unzipWithin', () => {
  it('gives the entries of an ordinary zip, as JSZip wrote them', async () => {
    const z = await zipOf({ 'a.txt': 'hello', 'dir/b.txt': 'x'.repeat(5000) });
    const m = unzipWithin(z, label);
    expect(new TextDecoder().decode(m.get('a.txt'))).toBe('hello');
    expect(m.get('dir/b.txt')?.length).toBe(5000);
    expect([...unzipWithin(z, label, DEFAULT_UPLOAD_LIMITS, (n) => n === 'a.txt').keys()]).toEqual(['a.txt']);
  });

  it('refuses an entry expanding past the ratio, and an archive past the total, naming the limit', async () => {
    const zeros = new Uint8Array(4 * 1024 * 1024); // deflates ~1000:1
    const bomb = await zipOf({ 'doc.kml': zeros });
    const e = thrown(() => unzipWithin(bomb, label)) as LimitExceeded;
    expect(e).toBeInstanceOf(LimitExceeded);
    expect(e.details).toMatchObject({ limit: 'zip_ratio', max: 100, entry: 'doc.kml' });
    // Ten incompressible-enough entries of 1 MB under a 5 MB total.
    const parts: Record<string, Uint8Array> = {};
    for (let i = 0; i < 10; i++) parts[`p${i}.bin`] = Uint8Array.from({ length: 1 << 20 }, (_, j) => (j * 2654435761 + i) >>> 24);
    const big = await zipOf(parts);
    const t = thrown(() => unzipWithin(big, label, { ...DEFAULT_UPLOAD_LIMITS, maxUnzippedBytes: 5 << 20 })) as LimitExceeded;
    expect(t.details).toMatchObject({ limit: 'unzipped_bytes', max: 5 << 20 });
    expect(t.zh).toContain('5 MB');
    expect(unzipWithin(big, label).size).toBe(10); // under the default
  });

  it('does not trust the sizes the directory declares: a lying entry is still stopped by counting', async () => {
    const data = deflateRawSync(new Uint8Array(8 << 20));
    const z = await zipOf({ 'x.bin': new Uint8Array(8 << 20) });
    // Patch the declared sizes in the central directory to a small value.
    const v = new DataView(z.buffer, z.byteOffset, z.byteLength);
    for (let i = z.length - 22; i >= 0; i--) {
      if (v.getUint32(i, true) === 0x02014b50) {
        v.setUint32(i + 24, 100, true);
        break;
      }
    }
    expect(data.length).toBeLessThan(100_000);
    expect((thrown(() => unzipWithin(z, label)) as LimitExceeded).details.limit).toBe('zip_ratio');
  });

  it('422 for files that are not whole zips: truncated, other types, empty', async () => {
    const z = await zipOf({ 'a.txt': 'hello world '.repeat(100) });
    for (const bad of [
      z.subarray(0, z.length - 30),
      z.subarray(0, 40),
      new Uint8Array(0),
      new TextEncoder().encode('%PDF-1.4'),
      Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0, 0),
    ]) {
      expect(thrown(() => unzipWithin(bad, label))).toBeInstanceOf(FileFormatError);
    }
    expect((thrown(() => unzipWithin(Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0, 0), label)) as FileFormatError).zh).toContain('.xls');
    const corrupt = Uint8Array.from(z);
    corrupt[45] ^= 0xff; // inside the compressed data
    expect(thrown(() => unzipWithin(corrupt, label))).toBeInstanceOf(FileFormatError);
  });
});
