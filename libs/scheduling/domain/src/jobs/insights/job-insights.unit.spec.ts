import type { TaskNode } from '../task-graph';
import { jobStatsOf, type JobRunCounts } from './job-stats';
import { runTimelineTasks, type TaskRunFacts } from './run-timeline';

const counts = (change: Partial<JobRunCounts> = {}): JobRunCounts => ({
  job: 'finance.ledger.close',
  owner: 'finance',
  currentVersion: 3,
  runs: 10,
  finished: 8,
  succeeded: 6,
  failed: 2,
  cancelled: 0,
  skipped: 1,
  missed: 1,
  active: 2,
  durationP50Ms: 1200,
  durationP95Ms: 4000,
  slaMisses: 1,
  predictedLate: 0,
  lastSuccessAt: '2031-06-29T01:00:00.000Z',
  lastRunAt: '2031-06-30T00:00:00.000Z',
  ...change,
});

describe('job stats (issue 12 item 5)', () => {
  it('given finished runs: the failure rate is failed over finished, the counts as counted', () => {
    expect(jobStatsOf(counts(), 30)).toEqual({
      job: 'finance.ledger.close',
      owner: 'finance',
      currentVersion: 3,
      windowDays: 30,
      runs: 10,
      finished: 8,
      succeeded: 6,
      failed: 2,
      cancelled: 0,
      skipped: 1,
      missed: 1,
      failureRate: 0.25,
      durationP50Ms: 1200,
      durationP95Ms: 4000,
      slaMisses: 1,
      predictedLate: 0,
      lastSuccessAt: '2031-06-29T01:00:00.000Z',
      lastRunAt: '2031-06-30T00:00:00.000Z',
      activeRuns: 2,
    });
  });

  it('given no finished run: no failure rate (not 0, not NaN)', () => {
    const stats = jobStatsOf(counts({ finished: 0, succeeded: 0, failed: 0 }), 7);
    expect(stats.failureRate).toBeNull();
    expect(stats.windowDays).toBe(7);
  });

  it('given a job never run: zeros and nulls', () => {
    const stats = jobStatsOf(
      counts({
        runs: 0,
        finished: 0,
        succeeded: 0,
        failed: 0,
        skipped: 0,
        missed: 0,
        active: 0,
        durationP50Ms: null,
        durationP95Ms: null,
        slaMisses: 0,
        lastSuccessAt: null,
        lastRunAt: null,
      }),
      30,
    );
    expect(stats).toMatchObject({
      runs: 0,
      failureRate: null,
      durationP50Ms: null,
      lastRunAt: null,
      activeRuns: 0,
    });
  });
});

const facts = (taskId: string, change: Partial<TaskRunFacts> = {}): TaskRunFacts => ({
  taskId,
  state: 'succeeded',
  attempts: 1,
  firstStartedAt: null,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  outcome: 'succeeded',
  worker: 'w-1',
  pools: [],
  detail: null,
  history: [],
  ...change,
});

describe('run timeline (issue 12 item 5)', () => {
  // extract → (transform, validate) → load
  const dag: TaskNode[] = [
    { id: 'load', dependsOn: ['transform', 'validate'] },
    { id: 'validate', dependsOn: ['extract'] },
    { id: 'transform', dependsOn: ['extract'] },
    { id: 'extract', dependsOn: [] },
  ];

  it('orders parents before children (ties by id), with children and depth', () => {
    const tasks = runTimelineTasks('2031-06-30T00:00:00.000Z', dag, []);
    expect(tasks.map((t) => [t.taskId, t.depth, t.children])).toEqual([
      ['extract', 0, ['transform', 'validate']],
      ['transform', 1, ['load']],
      ['validate', 1, ['load']],
      ['load', 2, []],
    ]);
  });

  it('a task without facts is pending; one with facts carries them and its offset from the run start', () => {
    const [extract, , , load] = runTimelineTasks('2031-06-30T00:00:00.000Z', dag, [
      facts('extract', {
        attempts: 2,
        firstStartedAt: '2031-06-30T00:00:01.500Z',
        startedAt: '2031-06-30T00:00:05.000Z',
        finishedAt: '2031-06-30T00:00:06.000Z',
        durationMs: 1000,
        pools: ['db:payments'],
        history: [
          {
            attempt: 1,
            worker: 'w-1',
            startedAt: '2031-06-30T00:00:01.500Z',
            finishedAt: '2031-06-30T00:00:02.000Z',
            durationMs: 500,
            outcome: 'failed',
            detail: 'HTTP 503',
          },
        ],
      }),
    ]);
    expect(extract).toMatchObject({
      state: 'succeeded',
      attempts: 2,
      startOffsetMs: 1500,
      durationMs: 1000,
      pools: ['db:payments'],
    });
    expect(extract?.history).toHaveLength(1);
    expect(load).toMatchObject({
      taskId: 'load',
      state: 'pending',
      attempts: 0,
      startedAt: null,
      startOffsetMs: null,
      outcome: null,
      pools: [],
      history: [],
    });
  });

  it('a run not started has no offsets', () => {
    const [extract] = runTimelineTasks(null, dag, [
      facts('extract', { firstStartedAt: '2031-06-30T00:00:01.500Z' }),
    ]);
    expect(extract?.startOffsetMs).toBeNull();
  });

  it('a task the run recorded but the DAG does not know is shown as a root', () => {
    const tasks = runTimelineTasks('2031-06-30T00:00:00.000Z', dag, [facts('cleanup')]);
    expect(tasks.map((t) => t.taskId)).toEqual([
      'cleanup',
      'extract',
      'transform',
      'validate',
      'load',
    ]);
    expect(tasks[0]).toMatchObject({ depth: 0, dependsOn: [], children: [], state: 'succeeded' });
  });
});
