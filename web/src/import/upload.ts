/**
 * One upload = one XMLHttpRequest (fetch cannot report upload progress): the file's bytes as the
 * body with its content type, progress from `upload.onprogress`, then "server processing" until
 * the response arrives. Failures become `ApiError` (status, zh/en message, code, details).
 */
import { ApiError, apiErrorOf } from '../api/client.js';

export interface UploadCallbacks {
  /** Bytes sent so far and the total (total 0 when unknown). */
  onProgress?: (loaded: number, total: number) => void;
  /** The body is sent; the server is reading and checking it. */
  onSent?: () => void;
}

export interface Upload<T> {
  promise: Promise<T>;
  abort: () => void;
}

/** A minimal XMLHttpRequest factory, replaceable in tests. */
export type XhrFactory = () => XMLHttpRequest;

export function upload<T>(url: string, body: Blob, contentType: string, cb: UploadCallbacks = {}, makeXhr: XhrFactory = () => new XMLHttpRequest()): Upload<T> {
  const xhr = makeXhr();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    let sent = false;
    const markSent = () => {
      if (sent) return;
      sent = true;
      cb.onSent?.();
    };
    xhr.upload.onprogress = (e: ProgressEvent) => {
      cb.onProgress?.(e.loaded, e.lengthComputable ? e.total : body.size);
      if (e.lengthComputable && e.loaded >= e.total) markSent();
    };
    xhr.upload.onload = () => markSent();
    xhr.onload = () => {
      markSent();
      let json: unknown;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(json as T);
        return;
      }
      reject(apiErrorOf(xhr.status, json));
    };
    xhr.onerror = () => reject(new ApiError(0, '网络错误，上传未完成', 'Network error; the upload did not complete', 'network', undefined));
    xhr.onabort = () => reject(new ApiError(0, '上传已取消', 'Upload cancelled', 'aborted', undefined));
    xhr.send(body);
  });
  return { promise, abort: () => xhr.abort() };
}
