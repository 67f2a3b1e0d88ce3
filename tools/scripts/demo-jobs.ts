// The batch-job part of `npm run demo` (issue 12): a month-end DAG across three teams (payments,
// finance, reporting) sharing the `db:payments` pool (2 slots), applied as manifests from
// jobs/examples over gRPC (a production change approved by a second person), triggered over
// gRPC, and printed as trees with timings. The systems the tasks call are served here, on
// 127.0.0.1:4710 (DEMO_JOBS_PORT), which `npm start` puts on SCHEDULING_HTTP_ALLOWLIST: the
// settlement API is busy once (503, the task succeeds on its retry), the ledger API fails (500 on
// every attempt, the run fails and the on-call alert fires), and the demo counts how many calls
// hold the payments database at once (never more than the pool's 2).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { jobRuns } from '@trainyard/grpc-contracts';
import { repoRoot, signDevToken } from '@trainyard/infra';
import { demoClient, unary } from './demo/demo-grpc';
import { waitUntil } from './demo/demo-sections';

const MANIFESTS = [
  'payments.settlement.month-end.yaml',
  'finance.ledger.month-end.yaml',
  'reporting.statements.month-end.yaml',
];
const POOL = 'db:payments';
/** How long a call holding the payments database takes (so the pool's limit shows). */
const DB_CALL_MS = 600;

const clientOf = (address: string, service: string) => demoClient('scheduling', service, address);

/** The systems the month-end tasks call. */
class DemoSystems {
  holding = 0;
  maxHolding = 0;
  readonly alerts: string[] = [];
  private readonly seen = new Set<string>();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const key = String(req.headers['idempotency-key'] ?? '');
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const answer = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (path.startsWith('/demo/db/')) {
      this.holding++;
      this.maxHolding = Math.max(this.maxHolding, this.holding);
      await new Promise((r) => setTimeout(r, DB_CALL_MS));
      this.holding--;
      return answer(200, { status: 'ok' });
    }
    if (path.startsWith('/demo/flaky/')) {
      // Busy the first time this task (its idempotency key) asks.
      const first = !this.seen.has(key);
      this.seen.add(key);
      return first ? answer(503, { status: 'busy' }) : answer(200, { status: 'ok' });
    }
    if (path.startsWith('/demo/fail/')) return answer(500, { status: 'ledger unavailable' });
    if (path === '/demo/alerts') {
      this.alerts.push(body);
      return answer(202, { status: 'paged' });
    }
    return answer(200, { status: 'ok' });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A run as a tree: each task under its first dependency, with its start offset and duration. */
export const runTree = (run: jobRuns.JobRun): string[] => {
  const start = Date.parse(run.startedAt || run.nominalTime);
  const lines = [
    `${run.job} (${run.team})  run ${run.runId.slice(0, 8)}  ${run.outcome || run.state}${run.durationMs ? ` in ${seconds(run.durationMs)}` : ''}`,
  ];
  const children = new Map<string, jobRuns.TaskRun[]>();
  for (const t of run.tasks) {
    const parent = t.dependsOn[0] ?? '';
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  const visit = (parent: string, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((t, i) => {
      const last = i === list.length - 1;
      const when = t.startedAt
        ? `+${seconds(Date.parse(t.startedAt) - start)}  ${seconds(t.durationMs)}`
        : 'not started';
      const attempts = t.attempt > 1 ? `, attempt ${t.attempt}` : '';
      const joins = t.dependsOn.length > 1 ? `  (after ${t.dependsOn.join(', ')})` : '';
      const detail = t.outcome === 'failed' && t.detail ? `: ${t.detail.slice(0, 60)}` : '';
      lines.push(
        `${prefix}${last ? '└─' : '├─'} ${t.taskId.padEnd(16)} ${(t.outcome || t.status).padEnd(10)} ${when}${attempts}${detail}${joins}`,
      );
      visit(t.taskId, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  visit('', '');
  return lines;
};

/** Applies, triggers and prints the month-end DAG; returns when every run has finished. */
export async function monthEndJobs(address: string): Promise<void> {
  const port = Number(process.env.DEMO_JOBS_PORT ?? 4710);
  const systems = new DemoSystems();
  await systems.listen(port);
  const definitions = clientOf(address, 'JobDefinitionService');
  const pools = clientOf(address, 'PoolService');
  const runs = clientOf(address, 'JobRunService');
  try {
    const author = await signDevToken({ roles: ['engineer'], subject: 'demo-engineer' });
    const approver = await signDevToken({ roles: ['approver'], subject: 'demo-approver' });
    const operator = await signDevToken({ roles: ['operator', 'admin'], subject: 'demo-operator' });

    console.log('\nMonth-end batch jobs (issue 12)');
    await unary(
      pools,
      'PutPool',
      {
        pool: { key: POOL, slots: 2, highLoadReservations: [], description: 'payments database' },
        reason: 'month-end demo',
      },
      operator,
    );
    for (const file of MANIFESTS) {
      const text = readFileSync(join(repoRoot(), 'jobs', 'examples', file));
      const applied = await unary<{
        outcome: string;
        job?: { name: string; proposal?: { digest: string } };
      }>(definitions, 'ApplyManifest', { manifest: text, reason: 'month-end demo' }, author);
      const name = applied.job?.name ?? file;
      if (applied.outcome === 'proposed' && applied.job?.proposal) {
        await unary(
          definitions,
          'ApproveManifest',
          { name, digest: applied.job.proposal.digest, reason: 'four eyes: reviewed' },
          approver,
        );
        console.log(`  ${name}: proposed by demo-engineer, approved by demo-approver`);
      } else console.log(`  ${name}: ${applied.outcome}`);
    }
    const names = MANIFESTS.map((f) => f.replace(/\.yaml$/, ''));
    // The catalogue follows the job-definition read model: wait until each job is running.
    for (const name of names)
      await poll(`${name} running`, async () => {
        const { job } = await unary<{ job?: { runningVersion: number } }>(
          definitions,
          'GetJob',
          { name },
          operator,
        );
        return (job?.runningVersion ?? 0) > 0;
      });

    const triggered = await Promise.all(
      names.map((job) =>
        unary<jobRuns.TriggerRunResponse>(
          runs,
          'TriggerRun',
          { job, reason: 'month-end close' },
          operator,
        ),
      ),
    );
    const finished: jobRuns.JobRun[] = [];
    for (const t of triggered)
      finished.push(
        await poll(`run ${t.runId}`, async () => {
          const { run } = await unary<jobRuns.GetRunResponse>(
            runs,
            'GetRun',
            { runId: t.runId },
            operator,
          );
          return run?.state === 'finished' ? run : undefined;
        }),
      );
    for (const run of finished) console.log(`\n${runTree(run).join('\n')}`);
    console.log(
      `\n${POOL}: at most ${systems.maxHolding} tasks held the database at once (pool of 2)`,
    );
    for (const alert of systems.alerts) console.log(`on-call alert received: ${alert}`);
    console.log(
      'Every state change above is a CloudEvent on trainyard.scheduling.events.v1 (JobRunFinished with outcome failed for the ledger).',
    );
  } finally {
    definitions.close();
    pools.close();
    runs.close();
    await systems.close();
  }
}

const poll = <T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> =>
  waitUntil(what, 120_000, probe, { everyMs: 200 });
