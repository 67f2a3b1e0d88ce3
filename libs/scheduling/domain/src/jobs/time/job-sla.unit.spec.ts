import { DeciderSpecification } from '@trainyard/kernel';
import {
  decideJobRunSla,
  jobRunSlaDecider,
  predictRunFinish,
  slaDeadline,
  type CheckJobRunSla,
  type RunProgress,
  type RunSlaRef,
} from './job-sla';
import { ValidationError } from '@trainyard/kernel';

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);
const NOMINAL = '2031-05-31T22:00:00.000Z';
const T0 = at(NOMINAL);

// The month-end DAG: extract → (ledger, payroll) → report; payroll is long.
const monthEnd: RunProgress = {
  tasks: [
    { id: 'extract', dependsOn: [] },
    { id: 'ledger', dependsOn: ['extract'] },
    { id: 'payroll', dependsOn: ['extract'] },
    { id: 'report', dependsOn: ['ledger', 'payroll'] },
  ],
  progress: {},
};
const p50 = { extract: 10 * MIN, ledger: 20 * MIN, payroll: 45 * MIN, report: 5 * MIN };

describe('SLA deadline', () => {
  it('is the nominal time plus sla.finishWithinSeconds', () => {
    expect(slaDeadline(NOMINAL, 3600)).toBe(T0 + 60 * MIN);
  });
  it('refuses a non-positive SLA, naming the field', () => {
    expect(() => slaDeadline(NOMINAL, 0)).toThrow(ValidationError);
    expect(() => slaDeadline(NOMINAL, 0)).toThrow(/sla.finishWithinSeconds/);
  });
});

describe('predicted finish: the critical path of the remaining DAG from now', () => {
  it('given nothing started: the longest chain extract → payroll → report', () => {
    const prediction = predictRunFinish(monthEnd, p50, T0);
    expect(prediction.finish).toBe(T0 + 60 * MIN);
    expect(prediction.criticalPath).toEqual(['extract', 'payroll', 'report']);
    expect(prediction.remainingTasks).toEqual(['extract', 'ledger', 'payroll', 'report']);
  });

  it('given the run may only start later (notBefore), the path starts then', () => {
    const prediction = predictRunFinish({ ...monthEnd, notBefore: T0 + 5 * MIN }, p50, T0);
    expect(prediction.finish).toBe(T0 + 65 * MIN);
  });

  it('given extract done and payroll running 30 min: payroll ends at its p50, then report', () => {
    const now = T0 + 40 * MIN;
    const prediction = predictRunFinish(
      {
        ...monthEnd,
        progress: {
          extract: { state: 'done' },
          payroll: { state: 'running', startedAt: T0 + 10 * MIN },
          ledger: { state: 'done' },
        },
      },
      p50,
      now,
    );
    expect(prediction.finish).toBe(T0 + 60 * MIN);
    expect(prediction.remainingTasks).toEqual(['payroll', 'report']);
    expect(prediction.criticalPath).toEqual(['payroll', 'report']);
  });

  it('given a running task past its p50, it is predicted to end now (not in the past)', () => {
    const now = T0 + 100 * MIN;
    const prediction = predictRunFinish(
      {
        ...monthEnd,
        progress: {
          extract: { state: 'done' },
          ledger: { state: 'done' },
          payroll: { state: 'running', startedAt: T0 + 10 * MIN },
        },
      },
      p50,
      now,
    );
    expect(prediction.finish).toBe(now + 5 * MIN);
  });

  it('when the short branch is slow, the path moves to it', () => {
    const prediction = predictRunFinish(monthEnd, { ...p50, ledger: 90 * MIN }, T0);
    expect(prediction.criticalPath).toEqual(['extract', 'ledger', 'report']);
    expect(prediction.finish).toBe(T0 + 105 * MIN);
  });

  it('tasks without history count as no time and are named', () => {
    const prediction = predictRunFinish(monthEnd, { extract: 10 * MIN }, T0);
    expect(prediction.finish).toBe(T0 + 10 * MIN);
    expect([...prediction.unknownDurations].sort()).toEqual(['ledger', 'payroll', 'report']);
  });

  it('when everything is done, the finish is now and nothing remains', () => {
    const done = { state: 'done' } as const;
    const prediction = predictRunFinish(
      { ...monthEnd, progress: { extract: done, ledger: done, payroll: done, report: done } },
      p50,
      T0 + 3 * MIN,
    );
    expect(prediction).toMatchObject({
      finish: T0 + 3 * MIN,
      remainingTasks: [],
      criticalPath: [],
    });
  });

  it('a 500-task chain is predicted without recursion', () => {
    const tasks = Array.from({ length: 500 }, (_, i) => ({
      id: `t${String(i).padStart(3, '0')}`,
      dependsOn: i === 0 ? [] : [`t${String(i - 1).padStart(3, '0')}`],
    }));
    const durations = Object.fromEntries(tasks.map((t) => [t.id, MIN]));
    const prediction = predictRunFinish({ tasks, progress: {} }, durations, T0);
    expect(prediction.finish).toBe(T0 + 500 * MIN);
    expect(prediction.criticalPath).toHaveLength(500);
  });
});

describe('SLA decider (stream job-run-sla-<runId>)', () => {
  const run: RunSlaRef = {
    runId: 'R-1',
    job: 'finance.ledger.month-end-close',
    jobVersion: 3,
    team: 'finance',
    nominalTime: NOMINAL,
  };
  const deadline = T0 + 60 * MIN;
  const check = (now: number, data: Partial<CheckJobRunSla['data']> = {}): CheckJobRunSla => ({
    type: 'CheckJobRunSla',
    data: { run, deadline, ...data },
    metadata: { now: new Date(now).toISOString(), actor: 'scheduling-sla-watch' },
  });
  const given = DeciderSpecification.for(jobRunSlaDecider);
  const late = predictRunFinish(monthEnd, { ...p50, payroll: 90 * MIN }, T0);
  const onTime = predictRunFinish(monthEnd, p50, T0);
  const missed = {
    type: 'JobSlaMissed' as const,
    data: {
      ...run,
      deadline: '2031-05-31T23:00:00Z',
      detectedAt: new Date(deadline + MIN).toISOString(),
    },
  };
  const predicted = {
    type: 'JobRunPredictedLate' as const,
    data: {
      ...run,
      deadline: '2031-05-31T23:00:00Z',
      predictedFinish: '2031-05-31T23:45:00Z',
      remainingTasks: ['extract', 'ledger', 'payroll', 'report'],
    },
  };

  describe('given a run with no SLA facts yet', () => {
    it('when the prediction ends after the deadline, then JobRunPredictedLate', () => {
      given([])
        .when(check(T0, { prediction: late }))
        .then([predicted]);
    });
    it('when the prediction fits, then nothing happened', () => {
      given([])
        .when(check(T0, { prediction: onTime }))
        .thenNothingHappened();
    });
    it('when the deadline has passed unfinished, then JobSlaMissed', () => {
      given([])
        .when(check(deadline + MIN, { prediction: late }))
        .then([missed]);
    });
    it('when it succeeded before the deadline (even if checked after), then nothing happened', () => {
      given([])
        .when(check(deadline + 10 * MIN, { succeededAt: deadline - MIN }))
        .thenNothingHappened();
    });
    it('when it succeeded after the deadline, then JobSlaMissed', () => {
      given([])
        .when(check(deadline + MIN, { succeededAt: deadline + 1 }))
        .then([missed]);
    });
  });

  describe('given predicted late already', () => {
    it('when still predicted late, then nothing happened (once per run)', () => {
      given([predicted])
        .when(check(T0 + MIN, { prediction: late }))
        .thenNothingHappened();
    });
    it('when the deadline passes, then JobSlaMissed all the same', () => {
      given([predicted])
        .when(check(deadline + MIN))
        .then([missed]);
    });
  });

  describe('given missed already', () => {
    it('when checked again, then nothing happened', () => {
      given([missed])
        .when(check(deadline + 5 * MIN))
        .thenNothingHappened();
      expect(
        decideJobRunSla(check(deadline + 5 * MIN), { missed: true, predictedLate: false }),
      ).toEqual([]);
    });
  });
});
