import { Client } from 'pg';
import type { Pool } from 'pg';
import { sleep } from './backoff';
import { errorMessage, type MessagingLogger } from './messaging-logger';

/**
 * A PostgreSQL session-level advisory lock held on a dedicated connection (not a pooled one, which
 * would hand the lock to whoever borrows the connection next). The lock lives exactly as long as
 * the connection: when the holder's process dies, the server ends the session and another instance
 * acquires it. Losing the connection aborts `signal`, so the holder stops its work.
 */
export class SessionLock {
  private readonly controller = new AbortController();
  private readonly keepAlive: NodeJS.Timeout;
  private released = false;

  private constructor(
    readonly client: Client,
    private readonly key: string,
    keepAliveMs: number,
  ) {
    client.on('error', (error) => this.lose(error));
    client.on('end', () => this.lose(new Error('lock connection ended')));
    // A dead peer is only noticed when the connection is used: probe it while idle.
    this.keepAlive = setInterval(() => {
      this.client.query('SELECT 1').catch((error: unknown) => this.lose(error));
    }, keepAliveMs);
    this.keepAlive.unref();
  }

  /** Aborted when the lock's connection is lost (the lock may then be someone else's). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Waits until the lock is ours (retrying every `retryMs`, reconnecting after errors) or `stop`
   * aborts (then undefined).
   */
  static async acquire(options: {
    readonly pool: Pool;
    readonly key: string;
    readonly stop: AbortSignal;
    readonly retryMs: number;
    readonly keepAliveMs: number;
    readonly logger: MessagingLogger;
    readonly applicationName: string;
  }): Promise<SessionLock | undefined> {
    const { pool, key, stop, retryMs, keepAliveMs, logger } = options;
    while (!stop.aborted) {
      const client = new Client({ ...pool.options, application_name: options.applicationName });
      let connectionError: Error | undefined;
      client.on('error', (error) => (connectionError = error));
      try {
        await client.connect();
        while (!stop.aborted) {
          if (connectionError !== undefined) throw connectionError;
          const { rows } = await client.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
            [key],
          );
          if (rows[0]?.locked) {
            client.removeAllListeners('error');
            return new SessionLock(client, key, keepAliveMs);
          }
          await sleep(retryMs, stop);
        }
      } catch (error) {
        logger.warn({ lock: key, error: errorMessage(error) }, 'advisory lock attempt failed');
        await sleep(retryMs, stop);
      }
      await client.end().catch(() => undefined);
    }
    return undefined;
  }

  /** Unlocks (if the connection still lives) and closes the connection. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.keepAlive);
    if (!this.signal.aborted) {
      await this.client
        .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [this.key])
        .catch(() => undefined);
    }
    this.controller.abort(new Error('lock released'));
    await this.client.end().catch(() => undefined);
  }

  private lose(error: unknown): void {
    if (this.released || this.signal.aborted) return;
    this.controller.abort(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Resolves when `signal` aborts. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
