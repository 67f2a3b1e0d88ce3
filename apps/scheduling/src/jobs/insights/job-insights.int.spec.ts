import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  createEventStore,
  handleCommand,
  type Checkpoint,
  type PostgresEventStore,
} from '@trainyard/event-store';
import { projectEvents } from '@trainyard/kernel';
import { migrateService, type ServiceConfig } from '@trainyard/platform';
import {
  DEFAULT_OVERRIDE_POLICY,
  calendarEntryDecider,
  componentDecider,
  createComponentTree,
  freezeOverrideDecider,
  freezeOverrideStream,
  jobRunSlaStream,
  type CalendarEntryDefinition,
  type JobRunEvent,
} from '@trainyard/scheduling-domain';
import {
  JOB_INSIGHT_ENTITIES,
  InsightJobRunView,
  InsightTaskRunView,
  jobInsightsProjection,
  type InsightJobRunRow,
  type InsightTaskRunRow,
} from '@trainyard/scheduling-read-models';
import {
  insightManifest,
  manifestApplied,
  runHistory,
} from '@trainyard/scheduling-read-models/testing';
import {
  ManualClock,
  createTestContext,
  entityTableDifferences,
  type TestContext,
} from '@trainyard/testing';
import { CalendarQueries } from '../../application/calendar.queries';
import { calendarEntryStream, componentStream } from '../../application/calendar-streams';
import { OverrideQueries } from '../../application/override.queries';
import { SchedulingReadSide } from '../../projections/scheduling-read-side';
import { schedulingService } from '../../scheduling.service';
import { CalendarRunGate } from './calendar-run-gate';
import type { InsightFieldNames } from './job-insight.params';
import { JobInsightQueries } from './job-insight.queries';
import type { JobInsightsConfig } from './job-insights.config';
import { SLA_WATCH_ACTOR, SlaWatch } from './sla-watch';

// Migration 0008 + the job-insight projection run by the service's own read side over a real
// event store in PostgreSQL; the queries, the SLA watch and the calendar gate read what it wrote.
const MIN = 60_000;
const NAMES: InsightFieldNames = {
  job: 'job',
  team: 'team',
  runId: 'runId',
  sinceDays: 'sinceDays',
  days: 'days',
  page: 'page',
  pageSize: 'pageSize',
};
const JOB = 'finance.ledger.month-end-close';
const T = '2031-05-31T22:00:00.000Z';
const at = (offsetMin: number) => new Date(Date.parse(T) + offsetMin * MIN).toISOString();

let ctx: TestContext;
let store: PostgresEventStore;
let readSide: SchedulingReadSide;
let queries: JobInsightQueries;
const clock = new ManualClock(at(15));
const config: JobInsightsConfig = {
  slaWatchIntervalMs: 0,
  slaLookbackHours: 24 * 30,
  durationHistoryDays: 30,
  zombieDays: 30,
  knownTeams: ['finance', 'payroll'],
};
const appended: {
  streamVersion: number;
  event: JobRunEvent | ReturnType<typeof manifestApplied>;
}[] = [];

const append = async (streamId: string, events: readonly { type: string; data: unknown }[]) => {
  const result = await store.append(
    streamId,
    events.map((e) => ({
      type: e.type,
      data: e.data,
      metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'job-runtime' },
    })),
    'any',
  );
  const checkpoint: Checkpoint = {
    transactionId: result.transactionId,
    position: result.lastPosition,
  };
  readSide.recordWrite(checkpoint);
  const first = result.nextExpectedVersion - events.length + 1;
  events.forEach((event, i) =>
    appended.push({ streamVersion: first + i, event: event as JobRunEvent }),
  );
};
const appendRun = (events: readonly JobRunEvent[]) =>
  append(`job-run-${events[0]!.data.runId}`, events);

// History: three nights that succeeded (55, 58 and 61 min from their start at 22:01, so the last
// one ended at 23:02, after its 23:00 deadline) and one that failed.
const history = [
  { runId: 'R-d3', day: -3, payroll: 40, outcome: 'succeeded' as const },
  { runId: 'R-d2', day: -2, payroll: 43, outcome: 'succeeded' as const },
  { runId: 'R-d1', day: -1, payroll: 46, outcome: 'succeeded' as const },
  { runId: 'R-f', day: -4, payroll: 30, outcome: 'failed' as const },
];
const pastRun = (h: (typeof history)[number]) =>
  runHistory({
    runId: h.runId,
    nominalTime: at(h.day * 24 * 60),
    tasks: [
      ['extract', 1, 10],
      ['ledger', 11, 20],
      ['payroll', 11, h.payroll],
      ['report', 11 + h.payroll, 5],
    ],
    outcome: h.outcome,
    pools: { ledger: ['db:payments'], payroll: ['db:payments'] },
    retried: h.runId === 'R-d1' ? ['extract'] : [],
  });

/** Tonight's run at 22:15: extract done, ledger running since 22:11, payroll since 22:20. */
const tonight = (runId: string): JobRunEvent[] => {
  const done = runHistory({
    runId,
    nominalTime: T,
    tasks: [['extract', 1, 10]],
    unfinished: false,
  }).filter((e) => e.type !== 'JobRunFinished');
  const ref = { runId, job: JOB, jobVersion: 1, team: 'finance', nominalTime: T };
  const start = (taskId: string, startMin: number): JobRunEvent => ({
    type: 'TaskRunStarted',
    data: {
      ...ref,
      taskId,
      attempt: 1,
      taskKey: `${runId}:${taskId}`,
      worker: 'w-9',
      startedAt: at(startMin),
      fencingTokens: { 'db:payments': 7 },
    },
  });
  return [...done, start('ledger', 11), start('payroll', 20)];
};

beforeAll(async () => {
  ctx = await createTestContext('sched_job_insights');
  await migrateService(schedulingService, ctx.pool, ctx.schema);
  store = createEventStore(ctx.pool, ctx.schema);
  readSide = new SchedulingReadSide(store, {
    service: 'scheduling',
    DATABASE_URL: ctx.databaseUrl,
    DATABASE_SCHEMA: ctx.schema,
  } as ServiceConfig);
  await readSide.onModuleInit();
  queries = new JobInsightQueries(readSide, clock, config);
  await append(`job-definition-${JOB}`, [manifestApplied(insightManifest(), 1, at(-60 * 24 * 60))]);
  // An old job nobody runs, owned by a team that is gone.
  await append('job-definition-legacy.export.nightly', [
    manifestApplied(
      insightManifest({ name: 'legacy.export.nightly', owner: 'legacy', sla: undefined }),
      1,
      at(-90 * 24 * 60),
    ),
  ]);
  for (const h of history) await appendRun(pastRun(h));
  await appendRun(tonight('R-now'));
  // Queued for the payroll team: scheduled, not started.
  await appendRun(
    runHistory({
      runId: 'R-queued',
      job: 'payroll.salaries.pay',
      nominalTime: at(5),
      tasks: [],
    }).slice(0, 1),
  );
}, 60_000);

afterAll(async () => {
  await readSide?.onModuleDestroy();
  await store?.close();
  await ctx?.dispose();
});

describe('job insights over the real event store and PostgreSQL', () => {
  it('migration 0008 creates exactly the tables the entities map', async () => {
    const dataSource = await new DataSource({
      type: 'postgres',
      url: ctx.databaseUrl,
      schema: ctx.schema,
      entities: [...JOB_INSIGHT_ENTITIES],
      synchronize: false,
    }).initialize();
    try {
      expect(await entityTableDifferences(dataSource, ctx.schema)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('the projection runner writes exactly the rows the pure folds give', async () => {
    await readSide.catchUp();
    const expected = projectEvents(jobInsightsProjection, appended);
    const manager = readSide.dataSource.manager;
    const runs = await manager.find(InsightJobRunView, { order: { runId: 'ASC' } });
    const tasks = await manager.find(InsightTaskRunView);
    const byKey = (r: InsightTaskRunRow) => `${r.runId}/${r.taskId}`;
    expect(runs.map((r) => ({ ...r }))).toEqual(expected['insight_job_runs'] as InsightJobRunRow[]);
    expect(tasks.map((r) => ({ ...r })).sort((a, b) => (byKey(a) < byKey(b) ? -1 : 1))).toEqual(
      expected['insight_task_runs'],
    );
  });

  it('job stats: p50/p95 of the succeeded durations, failure rate, last success', async () => {
    const stats = await queries.getJobStats({ job: JOB, sinceDays: 30 }, NAMES);
    expect(stats).toMatchObject({
      job: JOB,
      owner: 'finance',
      currentVersion: 1,
      runs: 5,
      finished: 4,
      succeeded: 3,
      failed: 1,
      failureRate: 0.25,
      durationP50Ms: 58 * MIN,
      durationP95Ms: 61 * MIN,
      activeRuns: 1,
      lastSuccessAt: new Date(Date.parse(at(-24 * 60)) + 62 * MIN).toISOString(),
    });
    const page = await queries.listJobStats({ team: 'finance', pageSize: 10 }, NAMES);
    expect(page.items.map((s) => s.job)).toEqual([JOB]);
    expect(page.total).toBe(1);
  });

  it('team queues: queued and due runs, running tasks and the wait from not-before to start', async () => {
    const queues = await queries.teamQueues({ sinceDays: 7 }, NAMES);
    expect(queues.find((q) => q.team === 'payroll')).toMatchObject({
      queued: 1,
      due: 1,
      running: 0,
      oldestQueuedSince: at(5),
    });
    expect(queues.find((q) => q.team === 'finance')).toMatchObject({
      queued: 0,
      running: 1,
      runningTasks: 2,
      waitP50Ms: MIN,
      waitP95Ms: MIN,
    });
  });

  it('pool occupancy from the fencing tokens: two holders of db:payments now', async () => {
    const pools = await queries.poolUsage({ sinceDays: 30 }, NAMES);
    expect(pools).toEqual([
      expect.objectContaining({ pool: 'db:payments', holders: 2, holderJobs: [JOB] }),
    ]);
    expect(pools[0]!.busyMs).toBeGreaterThan(0);
  });

  it('run timeline: the DAG as a tree, parents first, with attempts and offsets', async () => {
    const timeline = await queries.runTimeline({ runId: 'R-d1' }, NAMES);
    expect(timeline.run.state).toBe('succeeded');
    expect(timeline.tasks.map((t) => [t.taskId, t.depth, t.children])).toEqual([
      ['extract', 0, ['ledger', 'payroll']],
      ['ledger', 1, ['report']],
      ['payroll', 1, ['report']],
      ['report', 2, []],
    ]);
    expect(timeline.tasks[0]).toMatchObject({ attempts: 2, startOffsetMs: 0 });
    await expect(queries.runTimeline({ runId: 'R-none' }, NAMES)).rejects.toThrow(/not found/);
  });

  it('zombies: the old job nobody runs, whose owner team is gone', async () => {
    const findings = await queries.zombies({}, NAMES);
    expect(findings.map((f) => [f.job, f.reasons])).toEqual([
      ['legacy.export.nightly', ['no-run-needed', 'owner-team-gone']],
    ]);
  });

  it('refuses hostile parameters naming the field', async () => {
    await expect(queries.getJobStats({ job: "x'; drop table" }, NAMES)).rejects.toMatchObject({
      field: 'job',
    });
    await expect(queries.listJobStats({ sinceDays: 0 }, NAMES)).rejects.toMatchObject({
      field: 'sinceDays',
    });
    await expect(queries.teamQueues({ team: 'A B' }, NAMES)).rejects.toMatchObject({
      field: 'team',
    });
  });

  describe('SLA watch', () => {
    const watch = () =>
      new SlaWatch({
        store,
        clock,
        intervalMs: 0,
        candidates: () => queries.slaCandidates(),
        p50s: (jobs) => queries.taskP50s(jobs),
        onAppended: (r) =>
          readSide.recordWrite({ transactionId: r.transactionId, position: r.lastPosition }),
      });
    const slaStream = async (runId: string) =>
      (await store.readStream(jobRunSlaStream(runId))).map((e) => e.type);

    it("records the misses of the history, predicts tonight late (payroll since 22:20 at its p50 40 min, then report 5 min > 23:00), each once, then tonight's miss once", async () => {
      clock.set(at(15));
      // Two instances at once: each fact is appended once all the same.
      const first = (await Promise.all([watch().sweep(), watch().sweep()])).flat();
      expect(first.map((e) => `${e.data.runId} ${e.type}`).sort()).toEqual([
        'R-d1 JobSlaMissed',
        'R-f JobSlaMissed',
        'R-now JobRunPredictedLate',
      ]);
      const predicted = first.find((e) => e.type === 'JobRunPredictedLate');
      expect(predicted?.data).toMatchObject({
        runId: 'R-now',
        deadline: '2031-05-31T23:00:00Z',
        predictedFinish: '2031-05-31T23:05:00Z',
        remainingTasks: ['ledger', 'payroll', 'report'],
      });
      await readSide.catchUp();
      expect(await watch().sweep()).toEqual([]);

      clock.set(at(61));
      await readSide.catchUp();
      expect((await watch().sweep()).map((e) => e.type)).toEqual(['JobSlaMissed']);
      await readSide.catchUp();
      expect(await watch().sweep()).toEqual([]);
      expect(await slaStream('R-now')).toEqual(['JobRunPredictedLate', 'JobSlaMissed']);
      const stored = await store.readStream(jobRunSlaStream('R-now'));
      expect(stored.every((e) => e.metadata.actor === SLA_WATCH_ACTOR)).toBe(true);
      // Past runs that met their SLA are left alone; the stats count the misses.
      expect(await slaStream('R-d3')).toEqual([]);
      expect(await slaStream('R-d2')).toEqual([]);
      const stats = await queries.getJobStats({ job: JOB }, NAMES);
      expect(stats).toMatchObject({ slaMisses: 3, predictedLate: 1 });
    });
  });
});

describe('CalendarRunGate over the calendar read model', () => {
  let gate: CalendarRunGate;
  const meta = (now: string, actor = 'carol') => ({ now, actor });
  const define = async (definition: CalendarEntryDefinition) => {
    const handled = await handleCommand(
      store,
      calendarEntryStream(definition.id),
      calendarEntryDecider,
      { type: 'DefineCalendarEntry', data: { definition }, metadata: meta('2031-01-01T00:00:00Z') },
      { actor: 'carol', correlationId: randomUUID(), now: '2031-01-01T00:00:00Z' },
      { context: {} },
    );
    const a = handled.appended!;
    readSide.recordWrite({ transactionId: a.transactionId, position: a.lastPosition });
  };
  const entry = (
    e: Partial<CalendarEntryDefinition> & Pick<CalendarEntryDefinition, 'id' | 'kind'>,
  ): CalendarEntryDefinition => ({
    name: e.id,
    zone: 'UTC',
    start: '2031-05-04T09:00',
    duration: 'PT2H',
    dstPolicy: { gap: 'shift', overlap: 'first' },
    scope: {},
    ...e,
  });

  beforeAll(async () => {
    gate = new CalendarRunGate(new CalendarQueries(readSide), new OverrideQueries(readSide));
    const declared = await handleCommand(
      store,
      componentStream('db-payments'),
      componentDecider,
      {
        type: 'DeclareComponent',
        data: { componentId: 'db-payments', parentId: 'db-cluster' },
        metadata: meta('2031-01-01T00:00:00Z'),
      },
      { actor: 'carol', correlationId: randomUUID(), now: '2031-01-01T00:00:00Z' },
      { context: { tree: createComponentTree() } },
    );
    readSide.recordWrite({
      transactionId: declared.appended!.transactionId,
      position: declared.appended!.lastPosition,
    });
    await define(
      entry({ id: 'M-cluster', kind: 'maintenance-window', scope: { components: ['db-cluster'] } }),
    );
    await define(
      entry({
        id: 'M-next',
        kind: 'maintenance-window',
        start: '2031-05-04T11:00',
        duration: 'PT1H',
        scope: { components: ['db-payments'] },
      }),
    );
    // A year-end freeze of two weeks: a start on 28 December is eight days into it.
    await define(
      entry({
        id: 'F-year-end',
        kind: 'freeze',
        start: '2031-12-20T00:00',
        duration: 'P14D',
        scope: { components: ['ledger-db', 'ledger-replica'] },
      }),
    );
    const o = 'O-ledger';
    const send = async (command: Parameters<typeof freezeOverrideDecider.decide>[0]) => {
      const handled = await handleCommand(
        store,
        freezeOverrideStream(o),
        freezeOverrideDecider,
        command,
        { actor: command.metadata.actor, correlationId: randomUUID(), now: command.metadata.now },
        { context: { policy: DEFAULT_OVERRIDE_POLICY } },
      );
      if (handled.appended)
        readSide.recordWrite({
          transactionId: handled.appended.transactionId,
          position: handled.appended.lastPosition,
        });
    };
    await send({
      type: 'RequestFreezeOverride',
      data: {
        overrideId: o,
        freezeId: 'F-year-end',
        scope: { components: ['ledger-db'] },
        from: '2031-12-28T00:00:00Z',
        to: '2031-12-29T00:00:00Z',
        reason: 'Statutory ledger close',
      },
      metadata: meta('2031-12-27T00:00:00.000Z', 'rita'),
    });
    // A scope open in teams reaches the payments rule: three approvals.
    for (const actor of ['bob', 'dora', 'eve'])
      await send({
        type: 'ApproveFreezeOverride',
        data: { overrideId: o },
        metadata: meta('2031-12-27T01:00:00.000Z', actor),
      });
  });

  it('pauses a job on a child of a component in maintenance until the back-to-back windows end', async () => {
    expect(await gate.check(['db-payments'], '2031-05-04T10:00:00Z')).toMatchObject({
      kind: 'pause',
      until: '2031-05-04T12:00:00Z',
    });
    expect(await gate.check(['db-payments'], '2031-05-04T12:00:00Z')).toEqual({ kind: 'open' });
    expect(await gate.check(['search'], '2031-05-04T10:00:00Z')).toEqual({ kind: 'open' });
  });

  it('blocks in a long freeze that began days before, unless the approved override covers the job', async () => {
    expect(await gate.check(['ledger-replica'], '2031-12-28T10:00:00Z')).toMatchObject({
      kind: 'block',
      reason: expect.stringContaining('F-year-end') as string,
    });
    expect(await gate.check(['ledger-db'], '2031-12-28T10:00:00Z')).toEqual({ kind: 'open' });
    // Outside the override's window the freeze holds again.
    expect((await gate.check(['ledger-db'], '2031-12-30T10:00:00Z')).kind).toBe('block');
  });

  it('never gates a job without components', async () => {
    expect(await gate.check([], '2031-12-28T10:00:00Z')).toEqual({ kind: 'open' });
  });
});
