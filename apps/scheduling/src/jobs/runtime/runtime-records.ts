import { createHash } from 'node:crypto';
import type {
  JobManifest,
  JobTask,
  RunFact,
  RunTrigger,
  TaskOutcome,
  TaskRunView,
} from '@trainyard/scheduling-domain';
import type { RunningJob } from '../runtime-ports';
import type { LazyAbort } from './lazy-abort';

/** The job runtime's shared records: rows it reads, writes it batches, its constants. */

/** A run to create: a schedule slot or a manual trigger. */
export interface NewRun {
  readonly job: RunningJob;
  readonly nominalMs: number;
  readonly trigger: RunTrigger;
  readonly idempotencyKey: string;
  readonly requestedBy?: string;
  /** Held by the overlap policy (buffer-one, buffer-all) until an active run of the job ends. */
  readonly buffered?: boolean;
  /** Leased to this instance, which starts it from memory at its start time (preclaimed-fires.ts). */
  readonly preclaim?: boolean;
}

/** A run inserted as running (nothing to admit first): its row as inserted, its tasks ready at once. */
export interface StartedRun {
  readonly run: RunRow & { environment: string };
  readonly manifest: JobManifest;
  readonly ready: readonly JobTask[];
}

/** A run this instance recorded with a pre-claim: what starting it from memory needs. */
export interface PreclaimedRun {
  readonly runId: string;
  readonly job: RunningJob;
  readonly nominalMs: number;
  /** The start time (nominal time plus start jitter). */
  readonly notBeforeMs: number;
  /** The lease's expiry, as recorded in the run row. */
  readonly expiresMs: number;
}

/** `deferred_reason` of a run the overlap policy buffered (not_before far away until promoted). */
export const BUFFERED = 'max-active-runs';
export const NEVER = Date.parse('9999-12-31T00:00:00.000Z');

export interface TriggerRunRequest {
  readonly job: string;
  /** Optional: the same key twice is the same run. */
  readonly idempotencyKey?: string;
  readonly requestedBy: string;
}
export interface TriggeredRun {
  readonly runId: string;
  /** False when the idempotency key named an existing run. */
  readonly created: boolean;
}

export interface RunningTask {
  readonly runId: string;
  readonly taskId: string;
  /** `<run>/<task>`, its key in TaskExecutions.running. */
  readonly key: string;
  readonly attempt: number;
  readonly holder: string;
  readonly pooled: boolean;
  readonly abort: LazyAbort;
  readonly heartbeatMs?: number;
  /** Other tasks depend on it: its result may make them ready (a hand-off by the flush). */
  readonly hasDependents: boolean;
  lastHeartbeat: number;
  settled: boolean;
  /**
   * False while a task started from memory (a pre-claimed run) waits for its start to be
   * recorded: its lease is not renewed yet (the row is not running), nor taken as lost.
   */
  recorded: boolean;
  readonly timeoutSeconds: number;
  /** Its slot in the deadline wheel (see DeadlineWheel.add). */
  deadline: number;
}

/** A fact for the run decider, with what the runtime checks before applying it. */
export interface PendingFact {
  readonly runId: string;
  readonly fact: RunFact;
  /** For `lost` from the reaper: only while the lease is still expired. */
  readonly leaseExpiredBefore?: number;
  /** The task has dependents: recording it may start them here (hand-off). */
  readonly handsOff?: boolean;
}

export interface RunRow {
  run_id: string;
  job: string;
  job_version: number;
  team: string;
  nominal_time: Date;
  state: string;
  event_version: number;
  started_at: Date | null;
  cancelled_by: string | null;
}
export interface TaskRow {
  run_id: string;
  task_id: string;
  status: TaskRunView['status'];
  attempt: number;
  outcome: TaskOutcome | null;
  handled: boolean;
  started_at: Date | null;
  lease_expires_at: Date | null;
}

export const RETRYABLE = new Set(['40P01', '40001']);
/**
 * BEGIN for the transactions that take rows off a queue (admission, claims, the flush's further
 * claims), in the same round trip. A queue's planner statistics lag behind a burst (20,000 runs
 * triggered, a thousand cron slots due at once: the table still looks nearly empty), and the
 * planner then reads every ready row and sorts it for a LIMIT 24: 200-500 ms per claim on a
 * loaded machine. With sorts and bitmap scans priced out it walks the queue's index in order and
 * stops at the limit, whatever the statistics say (the transaction's own setting, nothing else).
 */
export const QUEUE_BEGIN = 'BEGIN; SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off';
export const iso = (ms: number) => new Date(ms).toISOString();

/** `<job>@…` keys are long: the run id is their digest (one slot, one run id, on every instance). */
export const runIdOf = (idempotencyKey: string): string =>
  createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);

export interface Claimed {
  readonly run: RunRow & { environment: string };
  readonly manifest: JobManifest;
  readonly task: JobTask;
  readonly attempt: number;
  readonly taskKey: string;
  readonly holder: string;
  readonly pooled: boolean;
  readonly fencingTokens: Readonly<Record<string, number>>;
}

/** A task row's new state (one row of the batched UPDATE). */
export interface TaskWrite {
  readonly runId: string;
  readonly taskId: string;
  readonly status: 'ready' | 'running' | 'done';
  readonly attempt: number;
  readonly outcome: TaskOutcome | null;
  readonly handled: boolean;
  readonly notBefore: string | null;
  readonly exitCode: number | null;
  readonly httpStatus: number | null;
  readonly detail: string | null;
  readonly leaseOwner: string | null;
  readonly leaseExpires: string | null;
}

export class UnknownJob extends Error {
  constructor(readonly job: string) {
    super(`no running job named ${job}`);
  }
}

export const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
