/**
 * Uploaded files are read in a child process with a heap limit (IMPORT_HEAP_MB), one file at a
 * time. A file that needs more memory ends that process — the request gets a 413, the server lives
 * on, and the next file starts a new process. Worker threads are not enough for this: Node's
 * per-thread `resourceLimits` are best-effort, and one big allocation (JSON.parse of a large
 * upload) aborts the whole process (nodejs/node#47224).
 *
 * The process starts on first use and ends after 30 s without work, giving its memory back.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ApiError, busy } from '../errors.js';
import { FileFormatError } from '../import/formats/errors.js';
import { LimitExceeded } from '../import/formats/limits.js';
import type { previewTableFile, readImportFile } from '../import/formats/read.js';
import type { FileTask, FileTaskAnswer } from './file-tasks.js';

const CHILD = fileURLToPath(new URL('./file-child.mjs', import.meta.url));

export interface FileProcessSettings {
  /** Heap of the child, MB. */
  heapMb: number;
  /** Files that may wait their turn; one more is a 503 busy (default 8). */
  maxQueue?: number;
  /** The child ends after this long without work, ms (default 30 s). */
  idleMs?: number;
}

interface Job {
  task: FileTask;
  resolve: (a: FileTaskAnswer) => void;
  reject: (e: Error) => void;
}

export class FileProcess {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private queue: Job[] = [];
  private running: Job | null = null;
  private idle: NodeJS.Timeout | null = null;
  private closed = false;
  private seq = 0;
  /** Files read to the end (for tests and monitoring). */
  completed = 0;
  /** Child processes started so far. */
  started = 0;

  constructor(private readonly s: FileProcessSettings) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(CHILD, [], {
      execArgv: [`--max-old-space-size=${this.s.heapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.started++;
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', () => reject(new Error(`file process ended while starting: ${stderr}`)));
    });
    this.ready.catch(() => {});
    child.on('message', (m: { id?: number; answer?: FileTaskAnswer }) => {
      if (m.id === undefined || !this.running) return;
      const job = this.running;
      this.running = null;
      this.completed++;
      job.resolve(m.answer!);
      this.next();
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) {
        this.child = null;
        this.ready = null;
      }
      const job = this.running;
      this.running = null;
      if (job) {
        const oom = /heap out of memory|Allocation failed/i.test(stderr) || code === 134 || signal === 'SIGABRT';
        job.reject(
          oom
            ? new ApiError(
                413,
                'too_large',
                '文件太大或太复杂，读取时超出了内存上限，未写入任何数据',
                'the file is too large or complex: reading it needs more memory than allowed; nothing was written',
              )
            : new ApiError(
                422,
                'unreadable_file',
                '文件无法读取（读取进程意外结束），未写入任何数据',
                'the file could not be read (the reading process ended); nothing was written',
              ),
        );
      }
      this.next();
    });
    return this.ready;
  }

  private next(): void {
    if (this.running || this.closed) return;
    const job = this.queue.shift();
    if (!job) {
      this.idle ??= setTimeout(() => this.stopChild(), this.s.idleMs ?? 30_000);
      this.idle.unref();
      return;
    }
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    this.running = job;
    this.start().then(
      () => this.child!.send({ id: ++this.seq, task: job.task }),
      (err) => {
        this.running = null;
        job.reject(err);
        this.next();
      },
    );
  }

  private stopChild(): void {
    this.idle = null;
    if (!this.running && this.child) this.child.kill();
  }

  /** Runs a task in the child; a FileFormatError or LimitExceeded there is thrown here as one. */
  async run<T>(task: FileTask): Promise<T> {
    if (this.closed || this.queue.length >= (this.s.maxQueue ?? 8)) throw busy(5);
    const answer = await new Promise<FileTaskAnswer>((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.next();
    });
    if ('fileFormatError' in answer) {
      const e = answer.fileFormatError;
      throw new FileFormatError(e.zh, e.en, e.code);
    }
    if ('limitExceeded' in answer) {
      const e = answer.limitExceeded;
      throw new LimitExceeded(e.zh, e.en, e.details);
    }
    if ('error' in answer) throw new Error(`file process: ${answer.error}`);
    return answer.ok as T;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    for (const j of this.queue.splice(0)) j.reject(busy(5));
    const child = this.child;
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill();
      await gone;
    }
  }
}

/** readImportFile in the file process, or here without one. */
export function importReaderOn(files: FileProcess | null, here: typeof readImportFile): typeof readImportFile {
  return files ? (...args) => files.run({ kind: 'read-import', args: args as Parameters<typeof readImportFile> }) : here;
}

/** previewTableFile in the file process, or here without one. */
export function tablePreviewOn(files: FileProcess | null, here: typeof previewTableFile): typeof previewTableFile {
  return files ? (...args) => files.run({ kind: 'preview-table', args }) : here;
}
