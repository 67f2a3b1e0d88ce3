import { Client } from 'pg';
import type { Pool } from 'pg';
import { channelName, notifyStatement, quoteIdent } from './schema-name';

type Waker = () => void;

/** A waker and the event types it waits for (undefined: every append). */
interface Registration {
  readonly waker: Waker;
  readonly types: ReadonlySet<string> | undefined;
}

/**
 * Wakes subscribers when events are appended: at once for subscribers in this process, and through
 * LISTEN/NOTIFY for other processes. The NOTIFY is sent from a separate connection after the
 * append committed, coalesced to at most one in flight, never from inside the append: a NOTIFY
 * makes its transaction take a cluster-wide lock held through the commit's WAL flush, which would
 * serialise every appender (ADR 0003). Bursts are throttled to one NOTIFY per `notifyThrottleMs`
 * (leading and trailing edge), so another process hears of an isolated append at once and of a
 * burst within that window. A subscriber that reads only some event types is woken by this
 * process's appends only when one holds such an event (a notification from another process, which
 * carries no types, wakes everyone): a read it could not use is one query saved per append.
 */
export class AppendSignal {
  private readonly wakers = new Set<Registration>();
  private listener?: Promise<Client | undefined>;
  private notifier?: Promise<Client | undefined>;
  /** The notifier's backend: its notifications come back to our LISTEN, and are not news here. */
  private notifierPid?: number;
  private notifyState: 'idle' | 'busy' | 'dirty' = 'idle';
  private lastNotifyAt = 0;
  private notifyTimer?: NodeJS.Timeout;
  private closed = false;
  /** NOTIFY on this store's channel (notifyStatement). */
  private readonly notifyStatement: string;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly onError: (error: unknown) => void,
    private readonly crossProcess: boolean,
    private readonly notifyThrottleMs: number,
  ) {
    this.notifyStatement = notifyStatement(schema);
  }

  /**
   * Registers a waker, for appends holding one of `types` if given; the first one opens the LISTEN
   * connection. Returns the unregister function.
   */
  subscribe(waker: Waker, types?: readonly string[]): () => void {
    const registration: Registration = { waker, types: types ? new Set(types) : undefined };
    this.wakers.add(registration);
    if (this.crossProcess && !this.listener) this.listener = this.openListener();
    return () => this.wakers.delete(registration);
  }

  /** Called after an append committed in this process, with its events (their types). */
  appended(events?: readonly { readonly type: string }[]): void {
    this.wakeAll(events);
    if (this.crossProcess && !this.listener && this.wakers.size > 0)
      this.listener = this.openListener();
    this.announce();
  }

  /** NOTIFY other processes, throttled; this process's subscribers were woken directly. */
  private announce(): void {
    if (!this.crossProcess || this.closed) return;
    if (this.notifyState !== 'idle') {
      this.notifyState = 'dirty';
      return;
    }
    if (this.notifyTimer) return;
    const wait = this.lastNotifyAt + this.notifyThrottleMs - Date.now();
    if (wait <= 0) this.sendNotify();
    else {
      this.notifyTimer = setTimeout(() => {
        this.notifyTimer = undefined;
        if (!this.closed) this.sendNotify();
      }, wait);
      this.notifyTimer.unref();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakers.clear();
    clearTimeout(this.notifyTimer);
    const opening = [this.listener, this.notifier].filter(
      (p): p is Promise<Client | undefined> => p !== undefined,
    );
    const clients = await Promise.all(opening);
    const open = clients.filter((client): client is Client => client !== undefined);
    await Promise.all(open.map((client) => client.end().catch(() => undefined)));
  }

  private wakeAll(events?: readonly { readonly type: string }[]): void {
    for (const { waker, types } of this.wakers)
      if (!types || !events || events.some((e) => types.has(e.type))) waker();
  }

  private sendNotify(): void {
    this.notifyState = 'busy';
    this.lastNotifyAt = Date.now();
    this.notifier ??= this.openNotifier();
    void this.notifier
      .then((client) => client?.query(this.notifyStatement))
      .catch((error: unknown) => {
        this.notifier = undefined;
        this.notifierPid = undefined;
        this.onError(error);
      })
      .finally(() => {
        const again = this.notifyState === 'dirty';
        this.notifyState = 'idle';
        if (again) this.announce();
      });
  }

  private async openNotifier(): Promise<Client | undefined> {
    const client = await this.connect(() => {
      this.notifier = undefined;
      this.notifierPid = undefined;
    });
    if (!client) return undefined;
    // A notification needs no durability; without this each one would wait for a WAL flush.
    if (!(await this.prepared(client, 'SET synchronous_commit = off'))) {
      this.notifier = undefined;
      return undefined;
    }
    this.notifierPid = (client as { processID?: number }).processID;
    return client;
  }

  private async openListener(): Promise<Client | undefined> {
    const client = await this.connect(() => (this.listener = undefined));
    if (!client) return undefined;
    client.on('notification', (message) => {
      if (this.notifierPid === undefined || message.processId !== this.notifierPid) this.wakeAll();
    });
    if (!(await this.prepared(client, `LISTEN ${quoteIdent(channelName(this.schema))}`))) {
      this.listener = undefined;
      return undefined;
    }
    return client;
  }

  /**
   * Runs a new connection's set-up statement. The connection can break between connecting and
   * this statement (a database restart, a proxy cutting it): then it is closed and reported, and
   * the caller falls back as when connecting failed, so no opening promise ever rejects (close()
   * awaits them, and nothing else would handle the rejection).
   */
  private async prepared(client: Client, statement: string): Promise<boolean> {
    try {
      await client.query(statement);
      return true;
    } catch (error) {
      this.onError(error);
      await client.end().catch(() => undefined);
      return false;
    }
  }

  /** A dedicated connection (LISTEN needs one held open); on failure subscribers fall back to polling. */
  private async connect(onLost: () => void): Promise<Client | undefined> {
    if (this.closed) return undefined;
    const client = new Client(this.pool.options);
    client.on('error', (error) => {
      onLost();
      this.onError(error);
    });
    try {
      await client.connect();
      return client;
    } catch (error) {
      onLost();
      this.onError(error);
      return undefined;
    }
  }
}
