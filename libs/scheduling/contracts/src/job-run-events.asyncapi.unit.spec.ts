import type { JobRunEvent } from '@trainyard/scheduling-domain';
import { asyncApiContract } from '@trainyard/testing';
import {
  JOB_RUN_INTEGRATION_EVENTS,
  toJobRunIntegrationEvent,
} from './job-run-integration.mapping';
import { schedulingIntegrationEventOf } from './scheduling-integration.mapping';

// The job-run events' part of the AsyncAPI contract (issue 12): every event the runtime records
// must validate against its schema once mapped (no missing, no extra field), and every catalogued
// type has a message and a schema.
const contract = asyncApiContract('scheduling.asyncapi.yaml');

const at = '2026-12-01T02:30:00.000Z';
const ref = {
  runId: 'r1',
  job: 'finance.ledger.close',
  jobVersion: 3,
  team: 'finance',
  nominalTime: at,
};
const task = { ...ref, taskId: 'settle', attempt: 1, taskKey: 'r1/settle' };
const history: JobRunEvent[] = [
  {
    type: 'JobRunScheduled',
    data: {
      ...ref,
      trigger: 'catch-up',
      idempotencyKey: 'finance.ledger.close@' + at,
      environment: 'prod',
      notBefore: at,
    },
  },
  {
    type: 'JobRunScheduled',
    data: {
      ...ref,
      trigger: 'manual',
      idempotencyKey: 'k',
      environment: 'prod',
      notBefore: at,
      requestedBy: 'alice',
    },
  },
  { type: 'JobRunSkipped', data: { ...ref, reason: 'overlap', detail: '1 active run(s)' } },
  { type: 'JobRunMissed', data: { ...ref, detectedAt: at, catchUpSeconds: 300 } },
  {
    type: 'JobRunDeferred',
    data: { ...ref, reason: 'backpressure', detail: 'lag 5000 > 1000', until: at },
  },
  { type: 'JobRunDeferred', data: { ...ref, reason: 'pool', detail: 'db:payments full' } },
  { type: 'JobRunStarted', data: { ...ref, startedAt: at } },
  {
    type: 'TaskRunStarted',
    data: { ...task, worker: 'w1', startedAt: at, fencingTokens: { 'db:payments': 7 } },
  },
  {
    type: 'TaskRunFinished',
    data: {
      ...task,
      outcome: 'failed',
      startedAt: at,
      finishedAt: at,
      durationMs: 12,
      exitCode: 3,
      detail: 'boom',
    },
  },
  { type: 'TaskRunFinished', data: { ...task, outcome: 'skipped', finishedAt: at } },
  { type: 'TaskRunFinished', data: { ...task, outcome: 'lost', finishedAt: at, httpStatus: 503 } },
  { type: 'TaskRetryScheduled', data: { ...task, nextAttempt: 2, retryAt: at, delayMs: 850 } },
  {
    type: 'JobRunFinished',
    data: {
      ...ref,
      outcome: 'cancelled',
      startedAt: at,
      finishedAt: at,
      durationMs: 5,
      tasks: { settle: 'cancelled' },
      cancelledBy: 'bob',
    },
  },
  { type: 'JobSlaMissed', data: { ...ref, deadline: at, detectedAt: at } },
  {
    type: 'JobRunPredictedLate',
    data: { ...ref, deadline: at, predictedFinish: at, remainingTasks: ['export'] },
  },
];

describe('job-run events in the AsyncAPI contract', () => {
  it('documents a message on the channel and a schema for every catalogued type', () => {
    expect(contract.undocumented(JOB_RUN_INTEGRATION_EVENTS)).toEqual([]);
  });

  it('publishes every job-run event, and each validates against the schema its dataschema names', () => {
    const failures: string[] = [];
    const seen = new Set<string>();
    for (const event of history) {
      const published = schedulingIntegrationEventOf(event);
      if (!published) {
        failures.push(`${event.type}: not published`);
        continue;
      }
      seen.add(published.type);
      failures.push(...contract.payloadProblems(event.type, published.dataschema, published.data));
    }
    expect(failures).toEqual([]);
    expect([...seen].sort()).toEqual(JOB_RUN_INTEGRATION_EVENTS.map((e) => e.type).sort());
  });

  it('publishes only the contract: a field the domain adds stays internal', () => {
    const event = {
      type: 'JobRunStarted',
      data: { ...ref, startedAt: at, internal: 1 },
    } as JobRunEvent;
    expect(toJobRunIntegrationEvent(event).data).toEqual({ ...ref, startedAt: at });
  });

  it('is told apart from a payload that drifted (so the checks above can fail)', () => {
    expect(
      contract.schemaNamed('TaskRunFinished.v1').safeParse({ ...task, outcome: 'failed' }).success,
    ).toBe(false);
    expect(
      contract.schemaNamed('JobRunStarted.v1').safeParse({ ...ref, startedAt: at, extra: true })
        .success,
    ).toBe(false);
  });
});
