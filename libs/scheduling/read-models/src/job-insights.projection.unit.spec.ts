import { projectEvents } from '@trainyard/kernel';
import type { JobRunEvent } from '@trainyard/scheduling-domain';
import type {
  InsightJobRunRow,
  InsightJobVersionRow,
  InsightRunSlaRow,
  InsightTaskRunRow,
} from './job-insights-view.entity';
import {
  jobInsightsProjection,
  type JobInsightEvent,
  type ProjectedJobInsightEvent,
} from './job-insights.projection';
import { insightManifest, manifestApplied, runHistory } from './test-support/job-run-history';

/** Numbers each stream's events 1, 2, … as the store would (streams by run id or job name). */
const stored = (events: readonly JobInsightEvent[]): ProjectedJobInsightEvent[] => {
  const versions = new Map<string, number>();
  return events.map((event) => {
    const stream =
      event.type === 'JobManifestApplied' || event.type === 'JobManifestRolledBack'
        ? `job-definition-${event.data.name}`
        : event.type === 'JobSlaMissed' || event.type === 'JobRunPredictedLate'
          ? `job-run-sla-${event.data.runId}`
          : `job-run-${event.data.runId}`;
    const v = (versions.get(stream) ?? 0) + 1;
    versions.set(stream, v);
    return { event, streamVersion: v };
  });
};

const project = (events: readonly JobInsightEvent[]) => {
  const tables = projectEvents(jobInsightsProjection, stored(events));
  return {
    runs: tables['insight_job_runs'] as InsightJobRunRow[],
    tasks: tables['insight_task_runs'] as InsightTaskRunRow[],
    versions: tables['insight_job_versions'] as InsightJobVersionRow[],
    slas: tables['insight_run_slas'] as InsightRunSlaRow[],
    jobs: tables['insight_jobs'] as object[],
  };
};

const NOMINAL = '2031-05-31T22:00:00.000Z';

describe('job insights projection (folds, no I/O)', () => {
  describe('a run', () => {
    it('given scheduled only: state scheduled, not before its slot', () => {
      const [scheduled] = runHistory({ runId: 'R-1', nominalTime: NOMINAL, tasks: [] });
      const { runs } = project([scheduled as JobRunEvent]);
      expect(runs).toEqual([
        expect.objectContaining({
          runId: 'R-1',
          state: 'scheduled',
          trigger: 'schedule',
          environment: 'prod',
          notBefore: NOMINAL,
          version: 1,
        }),
      ]);
    });

    it('given deferred twice then started: running, two deferrals, the last reason kept', () => {
      const [scheduled, started] = runHistory({ runId: 'R-1', nominalTime: NOMINAL, tasks: [] });
      const ref = {
        runId: 'R-1',
        job: 'finance.ledger.month-end-close',
        jobVersion: 1,
        team: 'finance',
        nominalTime: NOMINAL,
      };
      const { runs } = project([
        scheduled!,
        { type: 'JobRunDeferred', data: { ...ref, reason: 'pool', detail: 'db full' } },
        {
          type: 'JobRunDeferred',
          data: {
            ...ref,
            reason: 'maintenance',
            detail: 'M-1',
            until: '2031-05-31T23:00:00Z',
          },
        },
        started!,
      ]);
      expect(runs[0]).toMatchObject({
        state: 'running',
        deferrals: 2,
        deferredReason: 'maintenance',
        deferredUntil: '2031-05-31T23:00:00.000Z',
        startedAt: '2031-05-31T22:01:00.000Z',
      });
    });

    it('given finished: its outcome, times and duration; tasks with attempts, history and pools', () => {
      const { runs, tasks } = project(
        runHistory({
          runId: 'R-1',
          nominalTime: NOMINAL,
          tasks: [
            ['extract', 1, 10],
            ['payroll', 11, 45],
          ],
          retried: ['extract'],
          pools: { payroll: ['db:payments'] },
        }),
      );
      expect(runs[0]).toMatchObject({
        state: 'succeeded',
        outcome: 'succeeded',
        finishedAt: '2031-05-31T22:56:00.000Z',
        durationMs: 55 * 60_000,
      });
      const extract = tasks.find((t) => t.taskId === 'extract');
      expect(extract).toMatchObject({
        state: 'succeeded',
        attempts: 2,
        durationMs: 10 * 60_000,
        firstStartedAt: '2031-05-31T22:01:00.000Z',
        worker: 'w-2',
      });
      expect(extract?.history.map((a) => [a.attempt, a.outcome])).toEqual([
        [1, 'failed'],
        [2, 'succeeded'],
      ]);
      expect(tasks.find((t) => t.taskId === 'payroll')).toMatchObject({
        pools: ['db:payments'],
        fencingTokens: { 'db:payments': 100 },
      });
    });

    it('given a retry scheduled: the task waits for it', () => {
      const events = runHistory({
        runId: 'R-1',
        nominalTime: NOMINAL,
        tasks: [['extract', 1, 10]],
        retried: ['extract'],
      });
      const upToRetry = events.slice(
        0,
        events.findIndex((e) => e.type === 'TaskRetryScheduled') + 1,
      );
      expect(project(upToRetry).tasks[0]).toMatchObject({
        state: 'retry-scheduled',
        retryAt: '2031-05-31T22:02:00.000Z',
      });
    });

    it('given skipped for a freeze or missed in downtime: a terminal state with why', () => {
      const ref = {
        job: 'finance.ledger.month-end-close',
        jobVersion: 1,
        team: 'finance',
        nominalTime: NOMINAL,
      };
      const { runs } = project([
        { type: 'JobRunSkipped', data: { ...ref, runId: 'R-s', reason: 'freeze', detail: 'F-1' } },
        {
          type: 'JobRunMissed',
          data: { ...ref, runId: 'R-m', detectedAt: '2031-06-01T08:00:00Z', catchUpSeconds: 600 },
        },
      ]);
      expect(runs.map((r) => [r.runId, r.state, r.detail?.slice(0, 7)])).toEqual([
        ['R-m', 'missed', 'missed:'],
        ['R-s', 'skipped', 'freeze:'],
      ]);
    });

    it('a late deferral never reopens an ended run', () => {
      const events = runHistory({ runId: 'R-1', nominalTime: NOMINAL, tasks: [['a', 1, 1]] });
      const ref = events[0]!.data;
      const { runs } = project([
        ...events,
        {
          type: 'JobRunDeferred',
          data: {
            runId: ref.runId,
            job: ref.job,
            jobVersion: ref.jobVersion,
            team: ref.team,
            nominalTime: ref.nominalTime,
            reason: 'pool',
            detail: 'late',
          },
        },
      ]);
      expect(runs[0]?.state).toBe('succeeded');
    });
  });

  describe('SLA facts', () => {
    it('keep the first prediction and the first miss, whatever repeats', () => {
      const ref = {
        runId: 'R-1',
        job: 'finance.ledger.month-end-close',
        jobVersion: 1,
        team: 'finance',
        nominalTime: NOMINAL,
        deadline: '2031-05-31T23:00:00Z',
      };
      const { slas, runs } = project([
        {
          type: 'JobRunPredictedLate',
          data: { ...ref, predictedFinish: '2031-05-31T23:20:00Z', remainingTasks: ['report'] },
        },
        {
          type: 'JobRunPredictedLate',
          data: { ...ref, predictedFinish: '2031-05-31T23:50:00Z', remainingTasks: [] },
        },
        { type: 'JobSlaMissed', data: { ...ref, detectedAt: '2031-05-31T23:00:05Z' } },
        { type: 'JobSlaMissed', data: { ...ref, detectedAt: '2031-05-31T23:01:05Z' } },
      ]);
      expect(slas).toEqual([
        {
          runId: 'R-1',
          job: ref.job,
          team: 'finance',
          deadline: '2031-05-31T23:00:00.000Z',
          predictedFinish: '2031-05-31T23:20:00.000Z',
          remainingTasks: ['report'],
          missedDetectedAt: '2031-05-31T23:00:05.000Z',
        },
      ]);
      // SLA facts have their own stream: they never touch the run's row or its version.
      expect(runs).toEqual([]);
    });
  });

  describe('jobs and their versions', () => {
    it('keep each version SLA, DAG and components; a rollback restores an earlier version as a new one', () => {
      const v1 = insightManifest();
      const v2 = insightManifest({ sla: undefined, components: [] });
      const { jobs, versions } = project([
        manifestApplied(v1, 1, '2031-01-01T00:00:00Z'),
        manifestApplied(v2, 2, '2031-02-01T00:00:00Z'),
        {
          type: 'JobManifestRolledBack',
          data: {
            name: v1.name,
            version: 3,
            toVersion: 1,
            digest: 'sha256:v1',
            manifest: v1,
            changes: [],
            rolledBackBy: 'bob',
            rolledBackAt: '2031-03-01T00:00:00Z',
          },
        },
      ]);
      expect(jobs).toEqual([
        {
          job: v1.name,
          owner: 'finance',
          definedAt: '2031-01-01T00:00:00.000Z',
          updatedAt: '2031-03-01T00:00:00.000Z',
          currentVersion: 3,
          version: 3,
        },
      ]);
      expect(versions.map((v) => [v.jobVersion, v.slaSeconds, v.components])).toEqual([
        [1, 3600, ['db-payments']],
        [2, null, []],
        [3, 3600, ['db-payments']],
      ]);
      expect(versions[2]?.tasks.find((t) => t.id === 'report')?.dependsOn).toEqual([
        'ledger',
        'payroll',
      ]);
    });
  });

  it('replaying a run over its row changes nothing (the stream version guards it)', () => {
    const events = stored(
      runHistory({ runId: 'R-1', nominalTime: NOMINAL, tasks: [['a', 1, 2]], retried: ['a'] }),
    );
    const once = projectEvents(jobInsightsProjection, events);
    const twice = projectEvents(jobInsightsProjection, [...events, ...events]);
    expect(twice).toEqual(once);
  });
});
