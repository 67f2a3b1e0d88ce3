import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Pool, PoolConfig } from 'pg';
import type { BatchResult, Batches } from './event-sealer.batch';

/** What the worker is started with (event-sealer.worker.ts). */
export interface SealerWorkerData {
  /** The caller's pool options that can cross to another thread; the worker opens one connection with them. */
  readonly connection: PoolConfig;
  readonly schema: string;
  readonly batchSize: number;
}

export type SealerWorkerRequest =
  | { readonly kind: 'seal'; readonly id: number; readonly waitForLock: boolean }
  | { readonly kind: 'close' };

export type SealerWorkerReply =
  | { readonly kind: 'sealed'; readonly id: number; readonly result: BatchResult }
  | { readonly kind: 'failed'; readonly id: number; readonly error: SerializedError };

/** An error as it crosses threads: its message, name and stack, and its own primitive fields (pg's `code`, `detail`, …). */
export type SerializedError = Readonly<Record<string, string | number | boolean>> & {
  readonly message: string;
};

/**
 * The EventSealer's passes in a worker thread with its own connection (`worker: true`): reading
 * the events, parsing their rows and JSON, canonicalising and hashing them and writing the batch
 * run off the caller's event loop, which, beside a service's appenders, would otherwise stall them
 * for the whole batch (about 16 ms of JavaScript per 1,000 events, issue 10). The worker runs the
 * very same SealerBatches, so the leaves, batches and guarantees are those of a sealer in the
 * caller's thread. The worker is started at the first pass; if it dies (an uncaught error, an
 * exit), the passes waiting on it fail with that error and the next pass starts a new one.
 */
export class WorkerBatches implements Batches {
  private thread?: SealerThread;

  constructor(private readonly data: SealerWorkerData) {}

  seal(waitForLock: boolean): Promise<BatchResult> {
    let thread = this.thread;
    if (!thread?.alive) thread = this.thread = new SealerThread(this.data);
    return thread.seal(waitForLock);
  }

  /** Lets the passes already asked for finish, then ends the worker and its connection. */
  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.close();
  }
}

/** One worker and the passes it was asked for. */
class SealerThread {
  alive = true;
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (result: BatchResult) => void; reject: (error: Error) => void }
  >();
  private nextId = 1;
  private readonly exited: Promise<unknown>;

  constructor(data: SealerWorkerData) {
    this.worker = startWorker(data);
    // Referenced only while a pass is asked for: an idle sealer never keeps the process alive.
    this.worker.unref();
    // Not events.once: it rejects on 'error', and nobody may be waiting for the exit then.
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.on('message', (reply: SealerWorkerReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.settled(reply.id);
      if (reply.kind === 'sealed') waiter.resolve(reply.result);
      else waiter.reject(deserializeError(reply.error));
    });
    this.worker.on('error', (error: unknown) =>
      this.lost(error instanceof Error ? error : new Error(String(error))),
    );
    this.worker.on('exit', (code) =>
      this.lost(new Error(`EventSealer: its worker thread exited (code ${code})`)),
    );
  }

  seal(waitForLock: boolean): Promise<BatchResult> {
    const id = this.nextId++;
    return new Promise<BatchResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      this.post({ kind: 'seal', id, waitForLock });
    });
  }

  async close(): Promise<void> {
    if (this.alive) {
      this.worker.ref();
      this.post({ kind: 'close' });
    }
    await this.exited;
  }

  private post(request: SealerWorkerRequest): void {
    this.worker.postMessage(request);
  }

  private settled(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
  }

  /** The first of 'error' and 'exit' fails every pass still waiting. */
  private lost(error: Error): void {
    this.alive = false;
    for (const [id, waiter] of this.waiting) {
      this.settled(id);
      waiter.reject(error);
    }
  }
}

function startWorker(data: SealerWorkerData): Worker {
  // Built (dist/, swc) the worker is a .js file beside this one. Run from the TypeScript sources
  // (tsx, jest), the new thread has none of the parent's loaders, so it loads them through tsx's
  // require hook (a development dependency, never needed by a build).
  const extension = extname(__filename);
  const entry = join(__dirname, `event-sealer.worker${extension}`);
  if (extension !== '.ts') return new Worker(entry, { workerData: data });
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`;
  return new Worker(code, { eval: true, workerData: data });
}

/**
 * The caller's pool options that the worker's pool can use. The password and `ssl.key` are copied
 * although pg hides them from enumeration; pool sizing is the worker's own (one connection).
 * Functions (a password callback, a custom Client or stream) cannot cross threads: refused.
 */
export function workerConnection(pool: Pool): PoolConfig {
  const options = pool.options as PoolConfig & Record<string, unknown>;
  const connection: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (POOL_SIZING.has(key) || value === undefined) continue;
    if (typeof value === 'function')
      throw new Error(
        `EventSealer: pool option ${key} is a function, which a worker thread cannot use`,
      );
    connection[key] = value;
  }
  if ('password' in options) {
    if (typeof options.password === 'function')
      throw new Error('EventSealer: a password callback cannot be passed to a worker thread');
    connection['password'] = options.password;
  }
  if (options.ssl && typeof options.ssl === 'object')
    connection['ssl'] = {
      ...options.ssl,
      ...('key' in options.ssl ? { key: options.ssl.key } : {}),
    };
  return connection;
}

/** Options of the caller's pool that size it; pg-pool fills them in, and the worker sets its own. */
const POOL_SIZING = new Set([
  'max',
  'min',
  'idleTimeoutMillis',
  'maxUses',
  'allowExitOnIdle',
  'maxLifetimeSeconds',
  'log',
]);

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, string | number | boolean> = { name: error.name };
  for (const [key, value] of Object.entries(error))
    if (['string', 'number', 'boolean'].includes(typeof value))
      fields[key] = value as string | number | boolean;
  return { ...fields, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
}

function deserializeError(serialized: SerializedError): Error {
  const { message, ...fields } = serialized;
  return Object.assign(new Error(message), fields);
}
