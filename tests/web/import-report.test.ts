/** web/src/import/report.ts and upload.ts: when commit is allowed; the XHR upload with progress. */
import { describe, expect, it } from 'vitest';
import { commitState, onlyCrsObjects, sortedRejected, uploadShare, type ImportReport, type RejectedRow } from '../../web/src/import/report.js';
import { upload } from '../../web/src/import/upload.js';
import { ApiError } from '../../web/src/api/client.js';

const report = (rejected: Partial<RejectedRow>[], dry_run = true): ImportReport => ({
  kind: 'stations',
  format: 'csv',
  crs: 'wgs84',
  dry_run,
  committed: false,
  total: 3,
  created: 3,
  updated: 0,
  unchanged: 0,
  rejected: rejected.map((r) => ({ row: null, code: 'x', reason_zh: '', reason_en: '', ...r })),
  rejected_rows: new Set(rejected.map((r) => r.row ?? null).filter((r) => r !== null)).size,
  changes: [],
  warnings: [],
  info: {},
});

describe('commitState', () => {
  it('no dry run yet, or a commit report → blocked', () => {
    expect(commitState(null, false)).toBe('blocked');
    expect(commitState(report([], false), false)).toBe('blocked');
  });
  it('clean dry run → ready', () => {
    expect(commitState(report([]), false)).toBe('ready');
  });
  it('only the coordinate check objects → needs force, ready with force', () => {
    const r = report([{ code: 'suspected_crs' }]);
    expect(onlyCrsObjects(r)).toBe(true);
    expect(commitState(r, false)).toBe('needs_force');
    expect(commitState(r, true)).toBe('ready');
  });
  it('any other rejected row → blocked, force or not', () => {
    const r = report([{ code: 'suspected_crs' }, { row: 3, code: 'unknown_type' }]);
    expect(onlyCrsObjects(r)).toBe(false);
    expect(commitState(r, true)).toBe('blocked');
  });
  it('rejected rows sorted, whole-file problems first', () => {
    const r = report([{ row: 7 }, { row: 3 }, { row: null }, { row: 5 }]);
    expect(sortedRejected(r).map((x) => x.row)).toEqual([null, 3, 5, 7]);
  });
  it('uploadShare', () => {
    expect(uploadShare(50, 200)).toBe(0.25);
    expect(uploadShare(300, 200)).toBe(1);
    expect(uploadShare(10, 0)).toBeNull();
  });
});

/** Just enough of XMLHttpRequest to drive `upload`. */
class FakeXhr {
  method = '';
  url = '';
  headers: Record<string, string> = {};
  withCredentials = false;
  status = 0;
  responseText = '';
  body: unknown;
  upload: { onprogress?: (e: Partial<ProgressEvent>) => void; onload?: () => void } = {};
  onload?: () => void;
  onerror?: () => void;
  onabort?: () => void;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.onabort?.();
  }
  respond(status: number, json: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(json);
    this.onload?.();
  }
}

describe('upload (XHR)', () => {
  it('sends the file with its content type, reports progress, then "sent", then resolves the JSON', async () => {
    const xhr = new FakeXhr();
    const events: string[] = [];
    const file = new Blob(['a'.repeat(1000)]);
    const u = upload<{ created: number }>(
      '/api/imports/stations?format=csv',
      file,
      'text/csv',
      { onProgress: (l, t) => events.push(`${l}/${t}`), onSent: () => events.push('sent') },
      () => xhr as unknown as XMLHttpRequest,
    );
    expect(xhr).toMatchObject({ method: 'POST', url: '/api/imports/stations?format=csv', withCredentials: true, body: file });
    expect(xhr.headers['content-type']).toBe('text/csv');
    xhr.upload.onprogress!({ loaded: 400, total: 1000, lengthComputable: true });
    xhr.upload.onprogress!({ loaded: 1000, total: 1000, lengthComputable: true });
    xhr.upload.onload!();
    xhr.respond(200, { created: 3 });
    expect(await u.promise).toEqual({ created: 3 });
    expect(events).toEqual(['400/1000', '1000/1000', 'sent']);
  });

  it('an error answer becomes ApiError with both messages, the code and the details', async () => {
    const xhr = new FakeXhr();
    const u = upload('/api/imports/grids', new Blob(['x']), 'application/zip', {}, () => xhr as unknown as XMLHttpRequest);
    xhr.respond(422, { error: 'import_rejected', message_zh: '导入被拒绝', message_en: 'import rejected', details: { rejected: [] } });
    const e = await u.promise.catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 422, zh: '导入被拒绝', en: 'import rejected', code: 'import_rejected', details: { rejected: [] } });
  });

  it('network errors and aborts reject', async () => {
    const a = new FakeXhr();
    const u1 = upload('/x', new Blob([]), 'text/csv', {}, () => a as unknown as XMLHttpRequest);
    a.onerror!();
    await expect(u1.promise).rejects.toMatchObject({ code: 'network' });
    const b = new FakeXhr();
    const u2 = upload('/x', new Blob([]), 'text/csv', {}, () => b as unknown as XMLHttpRequest);
    u2.abort();
    await expect(u2.promise).rejects.toMatchObject({ code: 'aborted' });
  });
});
