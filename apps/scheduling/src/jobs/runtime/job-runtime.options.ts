import type { Pool } from 'pg';
import type { DispatchPolicy } from '@trainyard/scheduling-domain';
import type {
  BackpressurePort,
  JobCatalogPort,
  PoolSlotsPort,
  RunGatePort,
  TaskExecutorPort,
} from '../runtime-ports';

export interface JobRuntimeOptions {
  /** Connections with `search_path` unimportant: every statement names `schema`. */
  readonly pool: Pool;
  /** The service's schema: its event store and the runtime's tables (JOB_RUNTIME_MIGRATIONS). */
  readonly schema: string;
  readonly catalog: JobCatalogPort;
  readonly executor: TaskExecutorPort;
  readonly poolSlots?: PoolSlotsPort;
  readonly gate?: RunGatePort;
  readonly backpressure?: BackpressurePort;
  /** Chooses among ready tasks; default priority then age (one fused SQL claim). */
  readonly policy?: DispatchPolicy;
  /** Names this instance as lease owner and event actor; default a random id. */
  readonly instanceId?: string;
  /** Tasks executing at once in this instance (0: schedule only, never execute). Default 24. */
  readonly concurrency?: number;
  /** A running task's lease; renewed every third of it while its worker lives. Default 30 s. */
  readonly leaseMs?: number;
  /** Tick the schedules (insert due slots). Default true. */
  readonly scheduler?: boolean;
  /** The environment whose parameters tasks get. Default `prod`. */
  readonly environment?: 'dev' | 'staging' | 'prod';
  /** A slot found this late still fires as `schedule` (a tick's normal lag). Default 30 s. */
  readonly onTimeGraceMs?: number;
  /** Longest sleep between ticks and between idle dispatcher checks. Default 1 s. */
  readonly idleMs?: number;
  /**
   * Slots are recorded this long before their nominal time, as scheduled runs admitted at it (a
   * burst of a thousand slots is written before it comes due, not after). Only a slot the overlap
   * policy would start whatever ends meanwhile; others are decided when due. Default 2 s; 0: at
   * the nominal time.
   */
  readonly lookaheadMs?: number;
  /**
   * A slot recorded ahead (see `lookaheadMs`) of a job without a run gate, backpressure or root
   * pool slots is pre-claimed by the instance that recorded it: a lease in its run row until this
   * long after the start time. The holder starts the run's root tasks from memory at the start
   * time and records the starts right after; another instance's admission takes the run over
   * once the lease has expired (the holder died or stalled). Default 5 s; 0: no pre-claims.
   */
  readonly preclaimGraceMs?: number;
  /**
   * The holder starts a pre-claimed run from memory only while its own clock is this far short of
   * the lease's expiry (clock skew between instances plus the time to record the start). Default
   * 2 s; less than `preclaimGraceMs`.
   */
  readonly preclaimMarginMs?: number;
  /** How long a catalogue read is reused by the tick. Default 2 s. */
  readonly catalogRefreshMs?: number;
  /** A run held back by backpressure is checked again after this long. Default 5 s. */
  readonly deferMs?: number;
  /** Uniform [0, 1): retry and start jitter. Default Math.random. */
  readonly random?: () => number;
  /** Epoch ms. Default Date.now. */
  readonly clock?: () => number;
  /** Errors of background loops (they keep running). */
  readonly onError?: (error: unknown) => void;
}

export interface ResolvedOptions {
  readonly instanceId: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly scheduler: boolean;
  readonly environment: 'dev' | 'staging' | 'prod';
  readonly onTimeGraceMs: number;
  readonly idleMs: number;
  readonly catalogRefreshMs: number;
  readonly lookaheadMs: number;
  readonly preclaimGraceMs: number;
  readonly preclaimMarginMs: number;
  readonly deferMs: number;
  readonly random: () => number;
  readonly clock: () => number;
  readonly onError: (error: unknown) => void;
}
