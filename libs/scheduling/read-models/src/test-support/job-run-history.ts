import type { JobManifest, JobManifestApplied, JobRunEvent } from '@trainyard/scheduling-domain';

/**
 * Literal job-run histories for specs (what the runtime records in `job-run-<runId>`), built by
 * hand from the event catalogue so the read models are checked against the contract, not against
 * the runtime's own code.
 */
export interface RunHistoryOptions {
  readonly job?: string;
  readonly team?: string;
  readonly runId: string;
  readonly nominalTime: string;
  readonly jobVersion?: number;
  /** Task ids with [start offset, duration] in minutes from the nominal time, in order. */
  readonly tasks: readonly (readonly [string, number, number])[];
  readonly outcome?: 'succeeded' | 'failed';
  /** Stop after the run started and these tasks finished (others running, no JobRunFinished). */
  readonly unfinished?: boolean;
  readonly pools?: Readonly<Record<string, readonly string[]>>;
  /** Task ids whose first attempt failed and was retried (attempt 2 starts 1 minute later). */
  readonly retried?: readonly string[];
}

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

export const runHistory = (o: RunHistoryOptions): JobRunEvent[] => {
  const job = o.job ?? 'finance.ledger.month-end-close';
  const team = o.team ?? job.split('.')[0] ?? 'finance';
  const t0 = Date.parse(o.nominalTime);
  const ref = {
    runId: o.runId,
    job,
    jobVersion: o.jobVersion ?? 1,
    team,
    nominalTime: o.nominalTime,
  };
  const events: JobRunEvent[] = [
    {
      type: 'JobRunScheduled',
      data: {
        ...ref,
        trigger: 'schedule',
        idempotencyKey: `${job}@${o.nominalTime}`,
        environment: 'prod',
        notBefore: o.nominalTime,
      },
    },
    { type: 'JobRunStarted', data: { ...ref, startedAt: iso(t0 + MIN) } },
  ];
  const outcomes: Record<string, 'succeeded' | 'failed'> = {};
  let end = t0 + MIN;
  o.tasks.forEach(([taskId, startMin, minutes], i) => {
    const task = { ...ref, taskId, taskKey: `${o.runId}:${taskId}` };
    const start = t0 + startMin * MIN;
    const finish = start + minutes * MIN;
    const tokens = Object.fromEntries((o.pools?.[taskId] ?? []).map((p, n) => [p, 100 + n]));
    let attempt = 1;
    if (o.retried?.includes(taskId)) {
      events.push(
        {
          type: 'TaskRunStarted',
          data: { ...task, attempt, worker: 'w-1', startedAt: iso(start), fencingTokens: tokens },
        },
        {
          type: 'TaskRunFinished',
          data: { ...task, attempt, outcome: 'failed', finishedAt: iso(start), detail: 'HTTP 503' },
        },
        {
          type: 'TaskRetryScheduled',
          data: { ...task, attempt, nextAttempt: 2, retryAt: iso(start + MIN), delayMs: MIN },
        },
      );
      attempt = 2;
    }
    const last = i === o.tasks.length - 1;
    events.push({
      type: 'TaskRunStarted',
      data: { ...task, attempt, worker: 'w-2', startedAt: iso(start), fencingTokens: tokens },
    });
    if (o.unfinished && last) return;
    const outcome = last && o.outcome === 'failed' ? 'failed' : 'succeeded';
    outcomes[taskId] = outcome;
    events.push({
      type: 'TaskRunFinished',
      data: {
        ...task,
        attempt,
        outcome,
        startedAt: iso(start),
        finishedAt: iso(finish),
        durationMs: minutes * MIN,
        ...(outcome === 'failed' ? { exitCode: 3, detail: 'exit code 3' } : { exitCode: 0 }),
      },
    });
    end = Math.max(end, finish);
  });
  if (o.unfinished) return events;
  events.push({
    type: 'JobRunFinished',
    data: {
      ...ref,
      outcome: o.outcome ?? 'succeeded',
      startedAt: iso(t0 + MIN),
      finishedAt: iso(end),
      durationMs: end - (t0 + MIN),
      tasks: outcomes,
    },
  });
  return events;
};

/** A manifest for the insight specs: extract → (ledger, payroll) → report, SLA 1 h, on `db-payments`. */
export const insightManifest = (overrides: Partial<JobManifest> = {}): JobManifest => ({
  name: 'finance.ledger.month-end-close',
  owner: 'finance',
  criticality: 'critical',
  schedule: { cron: '0 22 * * *', zone: 'UTC' },
  parameters: {},
  environments: { dev: {}, staging: {}, prod: {} },
  tasks: [
    { id: 'extract', deps: [] },
    { id: 'ledger', deps: ['extract'] },
    { id: 'payroll', deps: ['extract'] },
    { id: 'report', deps: ['ledger', 'payroll'] },
  ].map(({ id, deps }) => ({
    id,
    dependsOn: deps,
    trigger: 'all-succeeded' as const,
    timeoutSeconds: 3600,
    executor: { kind: 'command' as const, program: 'report-render', args: [] },
  })),
  sla: { finishWithinSeconds: 3600 },
  components: ['db-payments'],
  ...overrides,
});

export const manifestApplied = (
  manifest: JobManifest,
  version: number,
  appliedAt: string,
): JobManifestApplied => ({
  type: 'JobManifestApplied',
  data: {
    name: manifest.name,
    version,
    digest: `sha256:${String(version).padStart(64, '0')}`,
    manifest,
    changes: [],
    author: 'alice',
    appliedAt,
  },
});
