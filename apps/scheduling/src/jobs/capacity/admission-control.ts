import { ResourceExhausted } from '@trainyard/kernel';
import {
  admit,
  DEFAULT_ADMISSION_LIMITS,
  type AdmissionDecision,
  type AdmissionLimits,
  type QueueLoad,
} from '@trainyard/scheduling-domain';
import type { Pool } from 'pg';

/** The queues' state for one trigger: runs waiting to start, and how fast they leave. */
export interface RunQueueStatsPort {
  load(team: string, job: string): Promise<{ team: QueueLoad; job: QueueLoad }>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * Reads the runtime's `job_runs` (jobs-runtime's migration): waiting = `state = 'scheduled'`;
 * drain = runs of the team or job started within the last `windowSeconds`, per second.
 */
export class PgRunQueueStats implements RunQueueStatsPort {
  private readonly runs: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly windowSeconds = 60,
  ) {
    if (!IDENT.test(schema)) throw new Error(`invalid schema name ${schema}`);
    this.runs = `"${schema}".job_runs`;
  }

  async load(team: string, job: string): Promise<{ team: QueueLoad; job: QueueLoad }> {
    const { rows } = await this.pool.query<{
      team_queued: number;
      job_queued: number;
      team_started: number;
      job_started: number;
    }>(
      `SELECT count(*) FILTER (WHERE state = 'scheduled')::int AS team_queued,
              count(*) FILTER (WHERE state = 'scheduled' AND job = $2)::int AS job_queued,
              count(*) FILTER (WHERE started_at > clock_timestamp() - make_interval(secs => $3))::int AS team_started,
              count(*) FILTER (WHERE job = $2 AND started_at > clock_timestamp() - make_interval(secs => $3))::int AS job_started
         FROM ${this.runs}
        WHERE team = $1 AND (state = 'scheduled' OR started_at > clock_timestamp() - make_interval(secs => $3))`,
      [team, job, this.windowSeconds],
    );
    const row = rows[0] ?? { team_queued: 0, job_queued: 0, team_started: 0, job_started: 0 };
    return {
      team: { queued: row.team_queued, drainPerSecond: row.team_started / this.windowSeconds },
      job: { queued: row.job_queued, drainPerSecond: row.job_started / this.windowSeconds },
    };
  }
}

/**
 * What the runtime's trigger path calls before it queues a run: admitted, or a
 * `ResourceExhausted` the platform answers as RESOURCE_EXHAUSTED with a google.rpc.RetryInfo
 * (gRPC) or 429 with Retry-After (REST).
 */
export class AdmissionControl {
  constructor(
    private readonly stats: RunQueueStatsPort,
    private readonly limits: AdmissionLimits = DEFAULT_ADMISSION_LIMITS,
  ) {}

  async decide(team: string, job: string, runs = 1): Promise<AdmissionDecision> {
    const load = await this.stats.load(team, job);
    return admit({ team, job, teamQueue: load.team, jobQueue: load.job, runs }, this.limits);
  }

  /** Throws ResourceExhausted when refused. */
  async admitOrRefuse(team: string, job: string, runs = 1): Promise<void> {
    const decision = await this.decide(team, job, runs);
    if (!decision.admitted)
      throw new ResourceExhausted(
        `${decision.scope}-queue:${decision.subject}`,
        decision.retryAfterSeconds,
        decision.message,
      );
  }
}
