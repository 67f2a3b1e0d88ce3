import type { PoolClient } from 'pg';
import type { JobManifest, TaskPoolClaim } from '@trainyard/scheduling-domain';

/** The running version of every defined job (from the job-definition read model). */
export interface RunningJob {
  readonly name: string;
  readonly version: number;
  readonly digest: string;
  readonly manifest: JobManifest;
  readonly deprecated: boolean;
}
export interface JobCatalogPort {
  running(): Promise<RunningJob[]>;
  get(name: string): Promise<RunningJob | undefined>;
}

/** Pool slots held as leases with fencing tokens, shared by every scheduler instance. */
export interface PoolSlotsPort {
  /** All claims or none, in `client`'s transaction when given; the fencing token per pool. */
  tryAcquire(
    claims: readonly TaskPoolClaim[],
    holder: string,
    leaseMs: number,
    client?: PoolClient,
  ): Promise<Readonly<Record<string, number>> | undefined>;
  renew(holder: string, leaseMs: number, client?: PoolClient): Promise<void>;
  release(holder: string, client?: PoolClient): Promise<void>;
}

/** Part 1's calendar applied to a job that declares components. */
export type RunGateDecision =
  | { readonly kind: 'open' }
  | { readonly kind: 'pause'; readonly until: string; readonly reason: string }
  | { readonly kind: 'block'; readonly reason: string };
export interface RunGatePort {
  check(components: readonly string[], at: string): Promise<RunGateDecision>;
}

/** Backpressure: whether a downstream keeps up (each signal of the job's manifest). */
export interface BackpressurePort {
  /** Undefined when every signal is clear, else why the start is deferred. */
  holdBack(job: JobManifest): Promise<string | undefined>;
}

/** What an executor is given and answers (issue 12, item 2). */
export interface TaskExecution {
  readonly runId: string;
  readonly job: string;
  readonly taskId: string;
  readonly attempt: number;
  /** Stable across retries of the same task in the same run: downstream deduplication. */
  readonly taskKey: string;
  readonly environment: string;
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  readonly fencingTokens: Readonly<Record<string, number>>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Call at least every heartbeatSeconds for long tasks. */
  readonly heartbeat: () => void;
}
export interface TaskExecutionResult {
  readonly outcome: 'succeeded' | 'failed' | 'timed-out';
  readonly exitCode?: number;
  readonly httpStatus?: number;
  /** Short, never a secret. */
  readonly detail?: string;
}
export interface TaskExecutorPort {
  execute(
    executor: JobManifest['tasks'][number]['executor'],
    execution: TaskExecution,
  ): Promise<TaskExecutionResult>;
}
