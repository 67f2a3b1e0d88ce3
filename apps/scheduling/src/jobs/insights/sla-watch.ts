import { randomUUID } from 'node:crypto';
import { handleCommand, type AppendResult, type EventStore } from '@trainyard/event-store';
import type { Clock } from '@trainyard/kernel';
import {
  jobRunSlaDecider,
  jobRunSlaStream,
  predictRunFinish,
  slaDeadline,
  type JobRunSlaEvent,
  type TaskProgress,
} from '@trainyard/scheduling-domain';
import type { SlaCandidate } from './job-insight.rows';

/** The actor the SLA watch's events carry. */
export const SLA_WATCH_ACTOR = 'scheduling-sla-watch';

export interface SlaWatchOptions {
  readonly store: EventStore;
  readonly clock: Clock;
  /** Runs with an SLA that may still miss it (the insight read model). */
  readonly candidates: () => Promise<readonly SlaCandidate[]>;
  /** p50 task durations by job, then task. */
  readonly p50s: (jobs: readonly string[]) => Promise<ReadonlyMap<string, Record<string, number>>>;
  readonly intervalMs: number;
  readonly onAppended?: (result: AppendResult) => void;
  readonly warn?: (message: string) => void;
}

const progressOf = (state: string, startedAt: string | null): TaskProgress => {
  if (state === 'running' && startedAt)
    return { state: 'running', startedAt: Date.parse(startedAt) };
  // A task waiting for its retry runs again from the start.
  if (state === 'running' || state === 'retry-scheduled') return { state: 'pending' };
  return { state: 'done' };
};

/**
 * The SLA sweeper (issue 12, item 5): every interval, for each run with an SLA that may still
 * miss it, decides on the run's own SLA stream `job-run-sla-<runId>` whether it is predicted late
 * or has missed its deadline. Each fact is appended at most once per run: the decider finds
 * nothing new when it is already there, and two instances racing both append at the version they
 * loaded, so one conflicts, reloads and finds nothing to do. The runtime's run stream is never
 * written here.
 */
export class SlaWatch {
  private timer?: NodeJS.Timeout;
  private running?: Promise<JobRunSlaEvent[]>;

  constructor(private readonly options: SlaWatchOptions) {}

  start(): void {
    if (this.timer || this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      void this.sweep().catch((error: unknown) =>
        this.options.warn?.(`SLA watch sweep failed: ${String(error)}`),
      );
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass; resolves the events it appended. Passes never overlap. */
  sweep(): Promise<JobRunSlaEvent[]> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<JobRunSlaEvent[]> {
    const now = this.options.clock.now();
    const nowMs = Date.parse(now);
    const candidates = await this.options.candidates();
    const p50s = await this.options.p50s(candidates.map((c) => c.run.job));
    const appended: JobRunSlaEvent[] = [];
    for (const candidate of candidates) {
      const { run } = candidate;
      try {
        const deadline = slaDeadline(run.nominalTime, candidate.slaSeconds);
        const succeededAt =
          run.outcome === 'succeeded' && run.finishedAt ? Date.parse(run.finishedAt) : undefined;
        const active = run.finishedAt === null;
        const prediction =
          active && !candidate.predictedLate && nowMs < deadline
            ? predictRunFinish(
                {
                  tasks: candidate.dag,
                  progress: Object.fromEntries(
                    candidate.tasks.map((t) => [t.taskId, progressOf(t.state, t.startedAt)]),
                  ),
                  ...(run.startedAt === null && run.notBefore
                    ? { notBefore: Date.parse(run.notBefore) }
                    : {}),
                },
                p50s.get(run.job) ?? {},
                nowMs,
              )
            : undefined;
        const handled = await handleCommand(
          this.options.store,
          jobRunSlaStream(run.runId),
          jobRunSlaDecider,
          {
            type: 'CheckJobRunSla',
            data: {
              run: {
                runId: run.runId,
                job: run.job,
                jobVersion: run.jobVersion,
                team: run.team,
                nominalTime: run.nominalTime,
              },
              deadline,
              ...(succeededAt !== undefined ? { succeededAt } : {}),
              ...(prediction ? { prediction } : {}),
            },
            metadata: { now, actor: SLA_WATCH_ACTOR },
          },
          { actor: SLA_WATCH_ACTOR, correlationId: randomUUID(), now },
          {
            context: undefined,
            ...(this.options.onAppended ? { onAppended: this.options.onAppended } : {}),
          },
        );
        appended.push(...handled.events);
      } catch (error) {
        // One run's failure must not stop the others; the next pass retries it.
        this.options.warn?.(`SLA check of run ${run.runId} failed: ${String(error)}`);
      }
    }
    return appended;
  }
}
