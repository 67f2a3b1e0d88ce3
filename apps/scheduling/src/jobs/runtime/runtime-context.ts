import { createHash, randomUUID } from 'node:crypto';
import { Pool, type PoolClient, type QueryConfig } from 'pg';
import { assertSchemaName } from '@trainyard/event-store';
import type { DispatchPolicy } from '@trainyard/scheduling-domain';
import type { RunningJob } from '../runtime-ports';
import { priorityThenAge } from './default-dispatch-policy';
import { ManifestCache } from './manifest-cache';
import type { JobRuntimeOptions, ResolvedOptions } from './job-runtime.options';
import { Pipeline } from './pipeline';
import { PriorityStarts } from './priority-starts';
import { RunSnapshots } from './run-snapshots';
import { runRef, type RunRefRow } from './run-events';
import { iso, RETRYABLE, type RunRow } from './runtime-records';
import { Wakeable } from './wakeable';
import { WorkerSlots } from './worker-slots';

/**
 * The connections in pg's pipeline mode (pipelinedTransaction): the flush loop holds one, the
 * reaper, the tick, cancellations and manual triggers the others when they write at once.
 */
const PIPELINED_CONNECTIONS = 6;

/** Runs whose state the flush keeps (RunSnapshots), per worker: one per hand-off, and spares. */
const SNAPSHOTS_PER_WORKER = 4;

/**
 * What every part of the job runtime shares: the pool, the schema's tables, the resolved options,
 * the worker slots, the loops' wake-ups, the manifest cache, the transaction with retries, and the
 * wake-ups after a commit (in-process and by NOTIFY).
 */
export class RuntimeContext {
  readonly o: ResolvedOptions;
  readonly pool: Pool;
  /** Connections of `pool`'s settings in pipeline mode, opened when first used. */
  private readonly pipelined: Pool;
  readonly schema: string;
  readonly t: Record<'runs' | 'tasks' | 'marks' | 'manifests', string>;
  readonly channel: string;
  private readonly statementPrefix: string;
  readonly policy: DispatchPolicy;
  readonly manifests: ManifestCache;
  /** Runs as this instance's flush last committed them (the next result's decision, unread). */
  readonly snapshots: RunSnapshots;
  /** The one count of free workers: dispatch and the flush's hand-off both reserve here. */
  readonly workers: WorkerSlots;
  /**
   * Workers the dispatcher keeps free for teams below their fair share (the policy's headroom;
   * none with the default policy, which has no shares): a trigger here starts such a team's tasks
   * in them in its own transaction, so they never wait behind the dispatcher's round for another
   * team's flood; the dispatcher's round takes them only for such teams.
   */
  readonly headroom: number;
  /** Below-share starts in flight here: the dispatcher and the flush give way to them. */
  readonly priority = new PriorityStarts();
  /**
   * Tasks running per team as this instance last read them (a dispatcher round or a trigger):
   * whether a trigger's runs are likely to start in the headroom, before its own read says so.
   */
  lastLoad: Readonly<Record<string, number>> = {};
  readonly wakers = {
    dispatch: new Wakeable(),
    flush: new Wakeable(),
    tick: new Wakeable(),
    admit: new Wakeable(),
  };
  /**
   * Names this instance's pre-claims: the instance id and this incarnation, so a restarted process
   * with the same id never takes its predecessor's leases for its own.
   */
  readonly preclaimOwner: string;
  /** A run waiting for admission was inserted here: wake admission after the commit. */
  admissionDue = false;
  /**
   * False once a claim came back short (no more ready tasks) and nothing since made one ready:
   * recording results then skips the extra claim query (a dependent is handed off directly). Only
   * an optimisation: the dispatcher, woken by every commit and result, still claims everything.
   */
  readyMaybe = true;
  private notifyState: 'idle' | 'busy' | 'dirty' = 'idle';
  /** The next NOTIFY says `admit:` (runs wait for admission), not just `ready:`. */
  private notifyAdmit = false;

  constructor(readonly options: JobRuntimeOptions) {
    this.pool = options.pool;
    this.schema = assertSchemaName(options.schema);
    const q = (name: string) => `"${this.schema}".${name}`;
    this.t = {
      runs: q('job_runs'),
      tasks: q('job_task_runs'),
      marks: q('job_schedule_marks'),
      manifests: q('job_runtime_manifests'),
    };
    this.channel = `${this.schema}.job_runtime`;
    this.statementPrefix = createHash('sha256').update(this.schema).digest('hex').slice(0, 12);
    this.policy = options.policy ?? priorityThenAge;
    this.o = {
      instanceId: options.instanceId ?? `runtime-${randomUUID().slice(0, 8)}`,
      concurrency: options.concurrency ?? 24,
      leaseMs: options.leaseMs ?? 30_000,
      scheduler: options.scheduler ?? true,
      environment: options.environment ?? 'prod',
      onTimeGraceMs: options.onTimeGraceMs ?? 30_000,
      idleMs: options.idleMs ?? 1_000,
      catalogRefreshMs: options.catalogRefreshMs ?? 2_000,
      lookaheadMs: options.lookaheadMs ?? 2_000,
      preclaimGraceMs: options.preclaimGraceMs ?? 5_000,
      preclaimMarginMs: options.preclaimMarginMs ?? 2_000,
      deferMs: options.deferMs ?? 5_000,
      random: options.random ?? Math.random,
      clock: options.clock ?? Date.now,
      onError: options.onError ?? (() => undefined),
    };
    this.preclaimOwner = `${this.o.instanceId}#${randomUUID().slice(0, 8)}`;
    this.pipelined = new Pool({
      ...options.pool.options,
      pipeline: true,
      max: PIPELINED_CONNECTIONS,
      allowExitOnIdle: true,
    });
    this.pipelined.on('error', (error) => this.o.onError(error));
    this.headroom =
      this.policy === priorityThenAge
        ? 0
        : Math.max(0, Math.min(Math.floor(this.policy.headroom ?? 0), this.o.concurrency - 1));
    if (this.o.preclaimGraceMs > 0 && this.o.preclaimMarginMs >= this.o.preclaimGraceMs)
      throw new Error('preclaimMarginMs must be less than preclaimGraceMs');
    this.workers = new WorkerSlots(this.o.concurrency, () => this.wakers.dispatch.wake());
    this.manifests = new ManifestCache(this.pool, this.t.manifests);
    this.snapshots = new RunSnapshots(SNAPSHOTS_PER_WORKER * Math.max(1, this.o.concurrency));
  }

  /**
   * A named (prepared, per connection) statement for the hot paths: parsed and planned once per
   * connection. The name carries a digest of the schema (names are per connection and truncated
   * to 63 bytes), and each kind always has the same text for a schema.
   */
  named(kind: string, text: string, values: unknown[]): QueryConfig {
    return { name: `jr_${this.statementPrefix}_${kind}`, text, values };
  }

  afterCommit(what: { ready?: boolean; admit?: boolean; aborts?: readonly string[] }): void {
    if (what.ready) this.wakers.dispatch.wake();
    if (what.admit) this.wakers.admit.wake();
    if (what.aborts && what.aborts.length > 0)
      void this.pool
        .query('SELECT pg_notify($1, $2)', [this.channel, `abort:${what.aborts.join(',')}`])
        .catch(this.o.onError);
    this.notify(what.admit === true);
  }

  /**
   * Wakes other instances (dispatchers and admission) and the event store's subscribers, after a
   * commit: at most one round of NOTIFYs in flight, further commits coalesced into the next.
   */
  notify(admit = false): void {
    if (admit) this.notifyAdmit = true;
    if (this.notifyState !== 'idle') {
      this.notifyState = 'dirty';
      return;
    }
    this.notifyState = 'busy';
    const kind = this.notifyAdmit ? 'admit' : 'ready';
    this.notifyAdmit = false;
    // One round trip for both channels (the store's subscribers listen on `<schema>.events`).
    void this.pool
      .query('SELECT pg_notify($1, $2), pg_notify($3, $4)', [
        this.channel,
        `${kind}:${this.o.instanceId}`,
        `${this.schema}.events`,
        '',
      ])
      .catch(this.o.onError)
      .finally(() => {
        const again = this.notifyState === 'dirty';
        this.notifyState = 'idle';
        if (again) this.notify();
      });
  }

  async transaction<T>(body: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    return this.retried(this.pool, async (client) => {
      await client.query(begin);
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    });
  }

  /**
   * `transaction` on a pipelined connection: BEGIN goes out with the body's first statements and
   * COMMIT right behind the statements it sent last (`Pipeline.send`), so a body that reads once
   * and then writes costs two round trips. Committed when it returns, exactly as `transaction`.
   */
  async pipelinedTransaction<T>(
    body: (tx: Pipeline) => Promise<T>,
    begin = 'BEGIN',
    giveWay?: () => Promise<void> | undefined,
  ): Promise<T> {
    return this.retried(this.pipelined, async (client) => {
      const tx = new Pipeline(client, giveWay);
      try {
        tx.send(begin);
        const result = await body(tx);
        const commit = await tx.query('COMMIT');
        // A statement that failed and was caught (a port's) leaves the transaction aborted, and
        // COMMIT then rolls back without an error.
        if (commit.command !== 'COMMIT') throw new Error(`COMMIT answered ${commit.command}`);
        return result;
      } catch (error) {
        throw tx.failure ? tx.failure.error : error;
      }
    });
  }

  /**
   * `pipelinedTransaction` whose every answer waits for the below-share starts in flight here
   * (PriorityStarts): the result flush's.
   */
  async givingWayTransaction<T>(body: (tx: Pipeline) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    return this.pipelinedTransaction(body, begin, () => this.priority.giveWay());
  }

  /** Closes the pipelined connections (the runtime has stopped). */
  async close(): Promise<void> {
    await this.pipelined.end();
  }

  /** Runs `attempt` on a connection of `pool`, rolled back and retried on a deadlock or conflict. */
  private async retried<T>(pool: Pool, attempt: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      const client = await pool.connect();
      const manifestKeys = this.manifests.mark();
      try {
        const result = await attempt(client);
        this.manifests.committed();
        client.release();
        return result;
      } catch (error) {
        this.manifests.rolledBack(manifestKeys);
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
        const code = (error as { code?: string }).code;
        if (code && RETRYABLE.has(code) && n < 10) continue;
        throw error;
      }
    }
  }

  takeAdmissionDue(): boolean {
    const due = this.admissionDue;
    this.admissionDue = false;
    return due;
  }

  refOf(runId: string, job: RunningJob, nominalMs: number) {
    return runRef({
      runId,
      job: job.name,
      jobVersion: job.version,
      team: job.manifest.owner,
      nominalTime: iso(nominalMs),
    });
  }

  rowRef(run: RunRow) {
    const ref: RunRefRow = {
      runId: run.run_id,
      job: run.job,
      jobVersion: run.job_version,
      team: run.team,
      nominalTime: run.nominal_time.toISOString(),
    };
    return runRef(ref);
  }

  actor(requestedBy?: string): string {
    return requestedBy ?? `scheduler:${this.o.instanceId}`;
  }
}
