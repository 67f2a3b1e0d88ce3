import type { Pool } from 'pg';
import { ValidationError } from '@trainyard/kernel';
import { assertSchemaName } from '@trainyard/event-store';

/**
 * Reads of the runtime's own tables (the current state of runs and tasks, as the runtime sees it)
 * for the JobRunService's GetRun, ListRuns and ListTaskRuns. Pages by keyset on
 * (nominal time, run id), newest first; the page token is opaque to callers.
 */
export interface TaskRunView {
  readonly taskId: string;
  readonly status: string;
  readonly attempt: number;
  readonly outcome?: string;
  readonly dependsOn: readonly string[];
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly exitCode?: number;
  readonly httpStatus?: number;
  readonly detail?: string;
  readonly leaseOwner?: string;
}
export interface RunView {
  readonly runId: string;
  readonly job: string;
  readonly jobVersion: number;
  readonly team: string;
  readonly nominalTime: string;
  readonly trigger: string;
  readonly state: string;
  readonly outcome?: string;
  readonly idempotencyKey: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly cancelledBy?: string;
}
export interface RunTree extends RunView {
  /** In dependency order (a task after everything it depends on). */
  readonly tasks: readonly TaskRunView[];
}
export interface ListRunsQuery {
  readonly job?: string;
  readonly state?: string;
  /** Nominal time from (inclusive) and to (exclusive), RFC 3339. */
  readonly from?: string;
  readonly to?: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export const RUN_STATES = ['scheduled', 'running', 'finished', 'skipped', 'missed'] as const;
const MAX_PAGE = 500;

interface RunRow {
  run_id: string;
  job: string;
  job_version: number;
  team: string;
  nominal_time: Date;
  trigger: string;
  state: string;
  outcome: string | null;
  idempotency_key: string;
  started_at: Date | null;
  finished_at: Date | null;
  cancelled_by: string | null;
}
interface TaskRow {
  task_id: string;
  status: string;
  attempt: number;
  outcome: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  exit_code: number | null;
  http_status: number | null;
  detail: string | null;
  lease_owner: string | null;
}

const opt = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const toRun = (r: RunRow): RunView => ({
  runId: r.run_id,
  job: r.job,
  jobVersion: r.job_version,
  team: r.team,
  nominalTime: r.nominal_time.toISOString(),
  trigger: r.trigger,
  state: r.state,
  idempotencyKey: r.idempotency_key,
  ...opt('outcome', r.outcome),
  ...opt('startedAt', r.started_at?.toISOString()),
  ...opt('finishedAt', r.finished_at?.toISOString()),
  ...opt('cancelledBy', r.cancelled_by),
});

export class JobRunQueries {
  private readonly runs: string;
  private readonly tasks: string;
  private readonly manifests: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    const s = assertSchemaName(schema);
    this.runs = `"${s}".job_runs`;
    this.tasks = `"${s}".job_task_runs`;
    this.manifests = `"${s}".job_runtime_manifests`;
  }

  /** The run with its task tree, or undefined. */
  async getRun(runId: string): Promise<RunTree | undefined> {
    const { rows } = await this.pool.query<
      RunRow & { manifest: { tasks: { id: string; dependsOn: string[] }[] } | null }
    >(
      `SELECT r.*, m.manifest FROM ${this.runs} r
         LEFT JOIN ${this.manifests} m ON m.job = r.job AND m.version = r.job_version
        WHERE r.run_id = $1`,
      [runId],
    );
    const run = rows[0];
    if (!run) return undefined;
    const tasks = await this.listTaskRuns(runId);
    const order = new Map((run.manifest?.tasks ?? []).map((t, i) => [t.id, i]));
    const deps = new Map((run.manifest?.tasks ?? []).map((t) => [t.id, t.dependsOn]));
    return {
      ...toRun(run),
      tasks: topological(
        tasks
          .map((t) => ({ ...t, dependsOn: deps.get(t.taskId) ?? [] }))
          .sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0)),
      ),
    };
  }

  async listTaskRuns(runId: string): Promise<TaskRunView[]> {
    const { rows } = await this.pool.query<TaskRow>(
      `SELECT task_id, status, attempt, outcome, started_at, finished_at, exit_code, http_status,
              detail, lease_owner
         FROM ${this.tasks} WHERE run_id = $1 ORDER BY task_id`,
      [runId],
    );
    return rows.map((t) => ({
      taskId: t.task_id,
      status: t.status,
      attempt: t.attempt,
      dependsOn: [],
      ...opt('outcome', t.outcome),
      ...opt('startedAt', t.started_at?.toISOString()),
      ...opt('finishedAt', t.finished_at?.toISOString()),
      ...opt('exitCode', t.exit_code),
      ...opt('httpStatus', t.http_status),
      ...opt('detail', t.detail),
      ...opt('leaseOwner', t.status === 'running' ? t.lease_owner : null),
    }));
  }

  /** Newest first; `nextPageToken` absent on the last page. */
  async listRuns(query: ListRunsQuery): Promise<{ runs: RunView[]; nextPageToken?: string }> {
    const pageSize = query.pageSize ?? 50;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE)
      throw new ValidationError(
        'pageSize',
        `pageSize must be a whole number from 1 to ${MAX_PAGE}; got ${pageSize}`,
      );
    if (query.state !== undefined && !(RUN_STATES as readonly string[]).includes(query.state))
      throw new ValidationError(
        'state',
        `state must be one of ${RUN_STATES.join(', ')}; got ${query.state}`,
      );
    const from = instant('from', query.from);
    const to = instant('to', query.to);
    let after: { nominal: string; runId: string } | undefined;
    if (query.pageToken) {
      try {
        const [nominal, runId] = JSON.parse(
          Buffer.from(query.pageToken, 'base64url').toString('utf8'),
        ) as [string, string];
        if (
          typeof nominal !== 'string' ||
          typeof runId !== 'string' ||
          Number.isNaN(Date.parse(nominal))
        )
          throw new Error();
        after = { nominal, runId };
      } catch {
        throw new ValidationError('pageToken', 'pageToken is not a token this service issued');
      }
    }
    const { rows } = await this.pool.query<RunRow>(
      `SELECT * FROM ${this.runs}
        WHERE ($1::text IS NULL OR job = $1) AND ($2::text IS NULL OR state = $2)
          AND ($3::timestamptz IS NULL OR nominal_time >= $3) AND ($4::timestamptz IS NULL OR nominal_time < $4)
          AND ($5::timestamptz IS NULL OR (nominal_time, run_id) < ($5, $6))
        ORDER BY nominal_time DESC, run_id DESC LIMIT $7`,
      [
        query.job ?? null,
        query.state ?? null,
        from ?? null,
        to ?? null,
        after?.nominal ?? null,
        after?.runId ?? null,
        pageSize + 1,
      ],
    );
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    return {
      runs: page.map(toRun),
      ...(rows.length > pageSize && last
        ? {
            nextPageToken: Buffer.from(
              JSON.stringify([last.nominal_time.toISOString(), last.run_id]),
            ).toString('base64url'),
          }
        : {}),
    };
  }
}

const instant = (field: string, value: string | undefined): string | undefined => {
  if (value === undefined || value === '') return undefined;
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  )
    throw new ValidationError(field, `${field} must be an RFC 3339 instant; got ${value}`);
  return value;
};

const topological = (tasks: readonly TaskRunView[]): TaskRunView[] => {
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const out: TaskRunView[] = [];
  const seen = new Set<string>();
  const visit = (t: TaskRunView) => {
    if (seen.has(t.taskId)) return;
    seen.add(t.taskId);
    for (const d of t.dependsOn) {
      const dep = byId.get(d);
      if (dep) visit(dep);
    }
    out.push(t);
  };
  tasks.forEach(visit);
  return out;
};
