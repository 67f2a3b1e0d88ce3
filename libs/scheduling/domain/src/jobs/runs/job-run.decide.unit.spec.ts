import type { JobManifest, JobTask } from '../job-manifest';
import {
  decideRunStep,
  evolveRunTasks,
  initialRunTasks,
  retryDelayMs,
  taskKeyOf,
  type RunFact,
  type RunTasks,
  type TaskRunView,
} from './job-run.decide';

const NOW = '2026-12-01T09:00:00.000Z';
const ctx = (random = () => 0.5) => ({ now: NOW, random });

const task = (id: string, extra: Partial<JobTask> = {}): JobTask => ({
  id,
  executor: { kind: 'command', program: 'db-vacuum', args: [] },
  dependsOn: [],
  trigger: 'all-succeeded',
  timeoutSeconds: 60,
  ...extra,
});
const manifestOf = (...tasks: JobTask[]): JobManifest => ({
  name: 'ops.batch.nightly',
  owner: 'ops',
  criticality: 'medium',
  parameters: {},
  environments: { dev: {}, staging: {}, prod: {} },
  tasks,
});
const finished = (
  taskId: string,
  outcome: 'succeeded' | 'failed' | 'timed-out' | 'lost',
  extra: { attempt?: number; exitCode?: number; httpStatus?: number } = {},
): RunFact => ({
  type: 'TaskAttemptFinished',
  taskId,
  attempt: extra.attempt ?? 1,
  outcome,
  ...(extra.exitCode === undefined ? {} : { exitCode: extra.exitCode }),
  ...(extra.httpStatus === undefined ? {} : { httpStatus: extra.httpStatus }),
});
const running = (attempt = 1): TaskRunView => ({ status: 'running', attempt });
const done = (outcome: TaskRunView['outcome']): TaskRunView => ({
  status: 'done',
  attempt: 1,
  outcome,
});
const statuses = (tasks: RunTasks) =>
  Object.fromEntries(
    Object.entries(tasks).map(([id, t]) => [id, t.status === 'done' ? t.outcome : t.status]),
  );

describe('run decider', () => {
  describe('a new run', () => {
    it('readies the roots and leaves dependents pending', () => {
      const m = manifestOf(task('a'), task('b', { dependsOn: ['a'] }), task('c'));
      expect(statuses(initialRunTasks(m))).toEqual({ a: 'ready', b: 'pending', c: 'ready' });
    });
    it('gives a task key stable across attempts', () => {
      expect(taskKeyOf('r1', 'a')).toBe(taskKeyOf('r1', 'a'));
      expect(taskKeyOf('r1', 'a')).not.toBe(taskKeyOf('r2', 'a'));
    });
  });

  describe('a chain', () => {
    const m = manifestOf(task('a'), task('b', { dependsOn: ['a'] }));
    it('readies the dependent when its upstream succeeds', () => {
      const step = decideRunStep(
        m,
        { a: running(), b: { status: 'pending', attempt: 1 } },
        finished('a', 'succeeded'),
        ctx(),
      );
      expect(step.changes.map((c) => [c.kind, c.taskId])).toEqual([
        ['finished', 'a'],
        ['ready', 'b'],
      ]);
      expect(step.runOutcome).toBeUndefined();
    });
    it('finishes the run succeeded when the last task succeeds', () => {
      const step = decideRunStep(
        m,
        { a: done('succeeded'), b: running() },
        finished('b', 'succeeded'),
        ctx(),
      );
      expect(step.runOutcome).toBe('succeeded');
    });
    it('skips the dependent and fails the run when the upstream fails without retries', () => {
      const step = decideRunStep(
        m,
        { a: running(), b: { status: 'pending', attempt: 1 } },
        finished('a', 'failed', { exitCode: 1 }),
        ctx(),
      );
      const after = evolveRunTasks({ a: running(), b: { status: 'pending', attempt: 1 } }, step);
      expect(statuses(after)).toEqual({ a: 'failed', b: 'skipped' });
      expect(step.runOutcome).toBe('failed');
    });
    it('ignores a stale fact: an attempt that is no longer running', () => {
      expect(
        decideRunStep(
          m,
          { a: running(2), b: { status: 'pending', attempt: 1 } },
          finished('a', 'failed', { attempt: 1 }),
          ctx(),
        ).changes,
      ).toEqual([]);
      expect(
        decideRunStep(m, { a: done('succeeded'), b: running() }, finished('a', 'succeeded'), ctx())
          .changes,
      ).toEqual([]);
    });
  });

  describe('retries', () => {
    const retries = { max: 2, backoffSeconds: 10, maxDelaySeconds: 15 };
    const m = manifestOf(task('a', { retries }));
    it('retries a failure with exponential backoff and full jitter', () => {
      const step = decideRunStep(
        m,
        { a: running(1) },
        finished('a', 'failed'),
        ctx(() => 0.5),
      );
      expect(step.changes).toEqual([
        expect.objectContaining({
          kind: 'retry',
          nextAttempt: 2,
          delayMs: 5000,
          retryAt: '2026-12-01T09:00:05.000Z',
        }),
      ]);
    });
    it('caps the delay at maxDelaySeconds', () => {
      expect(retryDelayMs({ ...retries, jitter: false }, 1, () => 0)).toBe(10_000);
      expect(retryDelayMs({ ...retries, jitter: false }, 2, () => 0)).toBe(15_000);
      expect(retryDelayMs(retries, 30, () => 0.999)).toBeLessThan(15_000);
    });
    it('retries timed-out and lost attempts too', () => {
      for (const outcome of ['timed-out', 'lost'] as const)
        expect(
          decideRunStep(m, { a: running(1) }, finished('a', outcome), ctx()).changes[0]?.kind,
        ).toBe('retry');
    });
    it('fails the task once the retries are used up', () => {
      const step = decideRunStep(
        m,
        { a: running(3) },
        finished('a', 'lost', { attempt: 3 }),
        ctx(),
      );
      expect(step.changes).toEqual([
        expect.objectContaining({ kind: 'finished', outcome: 'lost', attempt: 3 }),
      ]);
      expect(step.runOutcome).toBe('failed');
    });
    it('the retried task becomes ready at the next attempt', () => {
      const step = decideRunStep(m, { a: running(1) }, finished('a', 'failed'), ctx());
      expect(evolveRunTasks({ a: running(1) }, step)).toEqual({
        a: { status: 'ready', attempt: 2 },
      });
    });
  });

  describe('trigger rules for joins', () => {
    const join = (trigger: JobTask['trigger']) =>
      manifestOf(task('a'), task('b'), task('j', { dependsOn: ['a', 'b'], trigger }));
    const pending = { status: 'pending', attempt: 1 } as const;
    it('all-succeeded waits for every upstream', () => {
      const step = decideRunStep(
        join('all-succeeded'),
        { a: running(), b: running(), j: pending },
        finished('a', 'succeeded'),
        ctx(),
      );
      expect(step.changes.map((c) => c.taskId)).toEqual(['a']);
    });
    it('all-succeeded is skipped as soon as one upstream fails', () => {
      const step = decideRunStep(
        join('all-succeeded'),
        { a: running(), b: running(), j: pending },
        finished('a', 'failed'),
        ctx(),
      );
      expect(step.changes).toContainEqual(
        expect.objectContaining({ taskId: 'j', outcome: 'skipped' }),
      );
    });
    it('any-failed runs as soon as one upstream fails', () => {
      const step = decideRunStep(
        join('any-failed'),
        { a: running(), b: running(), j: pending },
        finished('a', 'failed'),
        ctx(),
      );
      expect(step.changes).toContainEqual({ kind: 'ready', taskId: 'j', attempt: 1 });
    });
    it('any-failed is skipped when every upstream succeeded', () => {
      const step = decideRunStep(
        join('any-failed'),
        { a: done('succeeded'), b: running(), j: pending },
        finished('b', 'succeeded'),
        ctx(),
      );
      expect(step.changes).toContainEqual(
        expect.objectContaining({ taskId: 'j', outcome: 'skipped' }),
      );
      expect(step.runOutcome).toBe('succeeded');
    });
    it('all-done runs once every upstream is done, whatever the outcome', () => {
      const step = decideRunStep(
        join('all-done'),
        { a: done('failed'), b: running(), j: pending },
        finished('b', 'succeeded'),
        ctx(),
      );
      expect(step.changes).toContainEqual({ kind: 'ready', taskId: 'j', attempt: 1 });
    });
    it('a skip cascades down a chain to a fixed point', () => {
      const m = manifestOf(
        task('a'),
        task('b', { dependsOn: ['a'] }),
        task('c', { dependsOn: ['b'] }),
        task('d', { dependsOn: ['c'], trigger: 'all-done' }),
      );
      const tasks: RunTasks = { a: running(), b: pending, c: pending, d: pending };
      const after = evolveRunTasks(tasks, decideRunStep(m, tasks, finished('a', 'failed'), ctx()));
      expect(statuses(after)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', d: 'ready' });
    });
    it('reaches the fixed point whatever order the tasks are listed in, leaving the given states as they were', () => {
      const m = manifestOf(
        task('d', { dependsOn: ['c'], trigger: 'all-done' }),
        task('c', { dependsOn: ['b'] }),
        task('b', { dependsOn: ['a'] }),
        task('a'),
      );
      const tasks: RunTasks = { a: running(), b: pending, c: pending, d: pending };
      const given = structuredClone(tasks);
      const step = decideRunStep(m, tasks, finished('a', 'failed'), ctx());
      expect(statuses(evolveRunTasks(tasks, step))).toEqual({
        a: 'failed',
        b: 'skipped',
        c: 'skipped',
        d: 'ready',
      });
      expect(step.runOutcome).toBeUndefined();
      expect(tasks).toEqual(given);
    });
  });

  describe('branching by outcomes rules', () => {
    const pending = { status: 'pending', attempt: 1 } as const;
    it('branch runs the named dependents and skips the others', () => {
      const m = manifestOf(
        task('check', {
          outcomes: [{ when: { exitCodes: [3] }, then: 'branch', branch: ['alt'] }],
          retries: { max: 3, backoffSeconds: 1, maxDelaySeconds: 1 },
        }),
        task('main', { dependsOn: ['check'] }),
        task('alt', { dependsOn: ['check'] }),
        task('end', { dependsOn: ['alt', 'main'], trigger: 'all-done' }),
      );
      const tasks: RunTasks = { check: running(), main: pending, alt: pending, end: pending };
      const step = decideRunStep(m, tasks, finished('check', 'failed', { exitCode: 3 }), ctx());
      const after = evolveRunTasks(tasks, step);
      expect(statuses(after)).toEqual({
        check: 'failed',
        main: 'skipped',
        alt: 'ready',
        end: 'pending',
      });
      expect(after['check']?.handled).toBe(true);
    });
    it('an expected failure does not fail the run', () => {
      const m = manifestOf(
        task('a', { outcomes: [{ when: { exitCodes: [3] }, then: 'skip-downstream' }] }),
        task('b', { dependsOn: ['a'] }),
      );
      const step = decideRunStep(
        m,
        { a: running(), b: pending },
        finished('a', 'failed', { exitCode: 3 }),
        ctx(),
      );
      expect(step.runOutcome).toBe('succeeded');
    });
    it('skip-downstream skips everything downstream, even all-done joins', () => {
      const m = manifestOf(
        task('a', { outcomes: [{ when: { result: 'succeeded' }, then: 'skip-downstream' }] }),
        task('b', { dependsOn: ['a'] }),
        task('c', { dependsOn: ['b'], trigger: 'all-done' }),
      );
      const tasks: RunTasks = { a: running(), b: pending, c: pending };
      const after = evolveRunTasks(
        tasks,
        decideRunStep(m, tasks, finished('a', 'succeeded'), ctx()),
      );
      expect(statuses(after)).toEqual({ a: 'succeeded', b: 'skipped', c: 'skipped' });
    });
    it('stop-run aborts running tasks, skips the rest and stops the run', () => {
      const m = manifestOf(
        task('a', { outcomes: [{ when: { httpStatuses: [409] }, then: 'stop-run' }] }),
        task('x'),
        task('b', { dependsOn: ['a'] }),
      );
      const step = decideRunStep(
        m,
        { a: running(), x: running(), b: pending },
        finished('a', 'failed', { httpStatus: 409 }),
        ctx(),
      );
      expect(step.changes).toContainEqual(
        expect.objectContaining({ taskId: 'x', outcome: 'cancelled', abort: true }),
      );
      expect(step.changes).toContainEqual(
        expect.objectContaining({ taskId: 'b', outcome: 'skipped' }),
      );
      expect(step.runOutcome).toBe('stopped');
    });
    it('a rule whose conditions do not all match does not apply (the failure is retried)', () => {
      const m = manifestOf(
        task('a', {
          retries: { max: 1, backoffSeconds: 1, maxDelaySeconds: 1 },
          outcomes: [{ when: { exitCodes: [3], result: 'succeeded' }, then: 'stop-run' }],
        }),
      );
      expect(
        decideRunStep(m, { a: running() }, finished('a', 'failed', { exitCode: 3 }), ctx())
          .changes[0]?.kind,
      ).toBe('retry');
    });
  });

  describe('cancel', () => {
    it('cancels every unfinished task, aborting the running ones', () => {
      const m = manifestOf(task('a'), task('b'), task('c', { dependsOn: ['a'] }));
      const step = decideRunStep(
        m,
        { a: done('succeeded'), b: running(), c: { status: 'ready', attempt: 1 } },
        { type: 'CancelRun', by: 'alice' },
        ctx(),
      );
      expect(step.changes).toEqual([
        expect.objectContaining({ taskId: 'b', outcome: 'cancelled', abort: true }),
        expect.objectContaining({ taskId: 'c', outcome: 'cancelled' }),
      ]);
      expect(step.runOutcome).toBe('cancelled');
    });
    it('does nothing for a finished run', () => {
      const m = manifestOf(task('a'));
      expect(
        decideRunStep(m, { a: done('failed') }, { type: 'CancelRun', by: 'alice' }, ctx()).changes,
      ).toEqual([]);
    });
  });
});
