import {
  DeciderSpecification,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import type { CommandMetadata } from '@trainyard/kernel';
import { validateJobManifest, type JobManifest } from './job-manifest';
import { validManifestInput } from './job-manifest.fixtures';
import type { JobDefinitionCommand, JobDefinitionEvent } from './job-definition';
import { JobManifestRejected, jobManifestDigest } from './job-definition.decide';
import { jobDefinitionDecider } from './job-definition.decider';

const NOW = '2026-12-01T09:00:00Z';
const meta = (actor: string): CommandMetadata => ({ now: NOW, actor });
const given = DeciderSpecification.for(jobDefinitionDecider, undefined);
const stateAfter = (events: readonly JobDefinitionEvent[]) =>
  events.reduce(jobDefinitionDecider.evolve, jobDefinitionDecider.initialState());

const normalised = (input: unknown): JobManifest => {
  const result = validateJobManifest(input);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.manifest;
};
const NAME = 'finance.ledger.month-end-close';
/** No prod parameters: changes apply directly. */
const devOnly = (overrides: Record<string, unknown> = {}) =>
  validManifestInput({
    parameters: {},
    environments: { dev: {}, staging: {}, prod: {} },
    tasks: [
      {
        id: 'settle',
        executor: { kind: 'http', method: 'POST', url: 'https://payments.example/settle' },
        timeoutSeconds: 600,
      },
    ],
    ...overrides,
  });
const apply = (input: unknown, actor = 'alice'): JobDefinitionCommand => ({
  type: 'ApplyJobManifest',
  data: { manifest: input },
  metadata: meta(actor),
});
const approve = (digest: string, actor = 'bob'): JobDefinitionCommand => ({
  type: 'ApproveJobManifest',
  data: { name: NAME, digest },
  metadata: meta(actor),
});
const rollBack = (toVersion: number, actor = 'carol'): JobDefinitionCommand => ({
  type: 'RollBackJobManifest',
  data: { name: NAME, toVersion },
  metadata: meta(actor),
});
const applied = (
  input: unknown,
  version: number,
  extra: { approvedBy?: string; author?: string } = {},
): JobDefinitionEvent => {
  const manifest = normalised(input);
  return {
    type: 'JobManifestApplied',
    data: {
      name: NAME,
      version,
      digest: jobManifestDigest(manifest),
      manifest,
      changes: [],
      author: extra.author ?? 'alice',
      ...(extra.approvedBy ? { approvedBy: extra.approvedBy } : {}),
      appliedAt: NOW,
    },
  };
};
const proposed = (input: unknown, baseVersion: number, author = 'alice'): JobDefinitionEvent => {
  const manifest = normalised(input);
  return {
    type: 'JobManifestProposed',
    data: {
      name: NAME,
      digest: jobManifestDigest(manifest),
      manifest,
      changes: [],
      reasons: ['the prod parameters change'],
      baseVersion,
      author,
      proposedAt: NOW,
    },
  };
};
const prodJob = validManifestInput();
const prodDigest = jobManifestDigest(normalised(prodJob));
const v1 = devOnly();
const v2 = devOnly({ criticality: 'low' });

describe('job definition decider', () => {
  describe('ApplyJobManifest on a new job', () => {
    it('applies version 1 of a job without prod parameters, with its diff from nothing', () => {
      given([])
        .when(apply(v1))
        .thenEvents((events) => {
          expect(events).toHaveLength(1);
          const [event] = events;
          expect(event?.type).toBe('JobManifestApplied');
          if (event?.type !== 'JobManifestApplied') return;
          expect(event.data).toMatchObject({ name: NAME, version: 1, author: 'alice' });
          expect(event.data.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
          expect(event.data.changes.map((c) => c.path)).toContain('tasks');
        });
    });
    it('refuses an invalid manifest with every problem and nothing decided', () => {
      given([])
        .when(apply({ ...v1, name: 'Bad', criticality: 'x' }))
        .thenThrows(JobManifestRejected, (error) => {
          expect(error).toBeInstanceOf(ValidationError);
          expect(error.field).toBe('name');
          expect(error.problems.map((p) => p.field)).toEqual(['name', 'criticality']);
        });
    });
    // Transports report `violations` (BadRequest, the problem's list): all of them, not the first.
    it('carries every problem, nested ones with their path, as the error violations', () => {
      const tasks = validManifestInput().tasks as Record<string, unknown>[];
      const manifest = validManifestInput({
        criticality: 'x',
        tasks: tasks.map((t, i) =>
          i === 1 ? { ...t, dependsOn: ['settle', 'nope'], timeoutSeconds: -1 } : t,
        ),
      });
      given([])
        .when(apply(manifest))
        .thenThrows(JobManifestRejected, (error) => {
          expect(error.violations.map((v) => v.field)).toEqual([
            'criticality',
            'tasks[1].dependsOn[1]',
            'tasks[1].timeoutSeconds',
          ]);
          expect(error.violations[1]?.message).toMatch(/^tasks\[1\]\.dependsOn\[1\] /);
          expect(error.message).toMatch(/^3 fields are invalid: criticality: /);
        });
    });
    it('proposes version 1 of a job with prod parameters (job-change-four-eyes)', () => {
      given([])
        .when(apply(prodJob))
        .thenEvents((events) => {
          expect(events.map((e) => e.type)).toEqual(['JobManifestProposed']);
          expect(events[0]?.data).toMatchObject({ digest: prodDigest, baseVersion: 0 });
        });
    });
  });

  describe('ApplyJobManifest on a running job', () => {
    it('does nothing when the manifest is identical to the running version (key order aside)', () => {
      const reordered = Object.fromEntries(Object.entries(v1).reverse());
      given([applied(v1, 1)])
        .when(apply(reordered, 'dave'))
        .thenNothingHappened();
    });
    it('applies a change that does not affect prod as version n+1', () => {
      given([applied(v1, 1)])
        .when(apply(v2, 'dave'))
        .thenEvents((events) => {
          expect(events[0]?.type).toBe('JobManifestApplied');
          expect(events[0]?.data).toMatchObject({
            version: 2,
            author: 'dave',
            changes: [{ op: 'changed', path: 'criticality', old: 'critical', new: 'low' }],
          });
        });
    });
    it('proposes a change to prod parameter values', () => {
      const changed = validManifestInput();
      (changed.environments as Record<string, Record<string, unknown>>).prod = {
        batchSize: 2000,
        token: 'secret:token',
      };
      given([applied(prodJob, 1, { approvedBy: 'bob' })])
        .when(apply(changed))
        .thenEvents((events) => {
          expect(events[0]?.type).toBe('JobManifestProposed');
          expect(events[0]?.data).toMatchObject({
            baseVersion: 1,
            reasons: ['the prod parameters change'],
          });
        });
    });
    it('proposes a schedule or task change of a job with prod parameters', () => {
      given([applied(prodJob, 1, { approvedBy: 'bob' })])
        .when(apply({ ...prodJob, schedule: { everySeconds: 60 } }))
        .thenEvents((events) =>
          expect(events[0]?.data).toMatchObject({
            reasons: ['the schedule of a job with prod parameters changes'],
          }),
        );
    });
    it('applies a dev-only value change of a job with prod parameters directly', () => {
      const changed = validManifestInput();
      (changed.environments as Record<string, Record<string, unknown>>).dev = {
        batchSize: 1,
        token: 'secret:token-dev',
      };
      given([applied(prodJob, 1, { approvedBy: 'bob' })])
        .when(apply(changed))
        .thenEvents((events) => expect(events[0]?.type).toBe('JobManifestApplied'));
    });
    it('refuses a manifest of another job on this stream (job-name-fixed)', () => {
      given([applied(v1, 1)])
        .when(apply({ ...v1, name: 'finance.ledger.other' }))
        .thenThrows(RuleViolation, { rule: 'job-name-fixed' });
    });
    it('refuses another change while a proposal is pending (job-proposal-pending), repeats are idempotent', () => {
      given([proposed(prodJob, 0)])
        .when(apply(v1))
        .thenThrows(RuleViolation, { rule: 'job-proposal-pending' });
      given([proposed(prodJob, 0)])
        .when(apply(prodJob, 'alice'))
        .thenNothingHappened();
    });
  });

  describe('ApproveJobManifest', () => {
    it('applies the proposal when someone other than the author approves it', () => {
      given([proposed(prodJob, 0)])
        .when(approve(prodDigest, 'bob'))
        .thenEvents((events) => {
          expect(events[0]?.type).toBe('JobManifestApplied');
          expect(events[0]?.data).toMatchObject({
            version: 1,
            author: 'alice',
            approvedBy: 'bob',
            digest: prodDigest,
          });
        });
    });
    it('refuses the author approving their own change (job-change-four-eyes)', () => {
      given([proposed(prodJob, 0)])
        .when(approve(prodDigest, 'alice'))
        .thenThrows(RuleViolation, { rule: 'job-change-four-eyes' });
    });
    it('refuses approving a digest other than the pending one (job-proposal-stale)', () => {
      given([proposed(prodJob, 0)])
        .when(approve('sha256:00', 'bob'))
        .thenThrows(RuleViolation, { rule: 'job-proposal-stale' });
    });
    it('refuses approving when nothing is pending (job-proposal-absent); a retried approval is a no-op', () => {
      given([applied(v1, 1)])
        .when(approve(prodDigest))
        .thenThrows(RuleViolation, { rule: 'job-proposal-absent' });
      given([proposed(prodJob, 0), applied(prodJob, 1, { approvedBy: 'bob' })])
        .when(approve(prodDigest, 'bob'))
        .thenNothingHappened();
    });
  });

  describe('RollBackJobManifest', () => {
    it('makes an earlier version running again as a new version; every version is kept', () => {
      const history = [applied(v1, 1), applied(v2, 2)];
      given(history)
        .when(rollBack(1))
        .thenEvents((events) => {
          expect(events[0]?.type).toBe('JobManifestRolledBack');
          expect(events[0]?.data).toMatchObject({
            version: 3,
            toVersion: 1,
            digest: jobManifestDigest(normalised(v1)),
            rolledBackBy: 'carol',
            changes: [{ op: 'changed', path: 'criticality', old: 'low', new: 'critical' }],
          });
          const state = stateAfter([...history, ...events]);
          expect(state.status === 'Defined' && state.versions.map((v) => v.version)).toEqual([
            1, 2, 3,
          ]);
          expect(state.status === 'Defined' && state.versions[2]?.rolledBackFrom).toBe(1);
        });
    });
    it('does nothing when the version is already the running one', () => {
      given([applied(v1, 1), applied(v2, 2)])
        .when(rollBack(2))
        .thenNothingHappened();
    });
    it('withdraws a pending proposal', () => {
      given([
        applied(prodJob, 1, { approvedBy: 'bob' }),
        proposed({ ...prodJob, criticality: 'low' }, 1),
      ])
        .when(rollBack(1))
        .thenEvents((events) => {
          expect(events[0]?.data).toHaveProperty('withdrawnProposal');
          const state = stateAfter([
            applied(prodJob, 1, { approvedBy: 'bob' }),
            proposed({ ...prodJob, criticality: 'low' }, 1),
            ...events,
          ]);
          expect(state.proposal).toBeUndefined();
        });
    });
    it('refuses an unknown job or version, and a non-positive version', () => {
      given([]).when(rollBack(1)).thenThrows(NotFoundError);
      given([applied(v1, 1)])
        .when(rollBack(7))
        .thenThrows(NotFoundError);
      given([applied(v1, 1)])
        .when(rollBack(0))
        .thenThrows(ValidationError, { field: 'toVersion' });
    });
  });

  describe('DeprecateJob and ReinstateJob', () => {
    const deprecate = (reason = 'replaced by finance.ledger.close-v2', actor = 'erin') =>
      ({
        type: 'DeprecateJob',
        data: { name: NAME, reason },
        metadata: meta(actor),
      }) as JobDefinitionCommand;
    const reinstate = (actor = 'frank') =>
      ({
        type: 'ReinstateJob',
        data: { name: NAME, reason: '  still needed for Q1  ' },
        metadata: meta(actor),
      }) as JobDefinitionCommand;
    const deprecated: JobDefinitionEvent = {
      type: 'JobDeprecated',
      data: { name: NAME, reason: 'zombie', deprecatedBy: 'erin', deprecatedAt: NOW },
    };

    it('deprecates a defined job with its reason; the state says it is not to be scheduled', () => {
      given([applied(v1, 1)])
        .when(deprecate())
        .thenEvents((events) => {
          expect(events).toEqual([
            {
              type: 'JobDeprecated',
              data: {
                name: NAME,
                reason: 'replaced by finance.ledger.close-v2',
                deprecatedBy: 'erin',
                deprecatedAt: NOW,
              },
            },
          ]);
          const state = stateAfter([applied(v1, 1), ...events]);
          expect(state.status === 'Defined' && state.deprecated).toEqual({
            reason: 'replaced by finance.ledger.close-v2',
            by: 'erin',
            at: NOW,
          });
        });
    });
    it('does nothing when the job is already deprecated', () => {
      given([applied(v1, 1), deprecated])
        .when(deprecate())
        .thenNothingHappened();
    });
    it('requires a reason, and refuses an unknown job', () => {
      given([applied(v1, 1)])
        .when(deprecate('   '))
        .thenThrows(ValidationError, { field: 'reason' });
      given([]).when(deprecate()).thenThrows(NotFoundError);
    });
    it('keeps the deprecation across a new version and a rollback', () => {
      const state = stateAfter([
        applied(v1, 1),
        deprecated,
        applied(v2, 2),
        {
          type: 'JobManifestRolledBack',
          data: {
            name: NAME,
            version: 3,
            toVersion: 1,
            digest: jobManifestDigest(normalised(v1)),
            manifest: normalised(v1),
            changes: [],
            rolledBackBy: 'carol',
            rolledBackAt: NOW,
          },
        },
      ]);
      expect(state.status === 'Defined' && state.deprecated?.reason).toBe('zombie');
      expect(state.status === 'Defined' && state.versions).toHaveLength(3);
    });
    it('reinstates a deprecated job (reason trimmed); reinstating a scheduled job does nothing', () => {
      given([applied(v1, 1), deprecated])
        .when(reinstate())
        .thenEvents((events) => {
          expect(events).toEqual([
            {
              type: 'JobReinstated',
              data: {
                name: NAME,
                reason: 'still needed for Q1',
                reinstatedBy: 'frank',
                reinstatedAt: NOW,
              },
            },
          ]);
          const state = stateAfter([applied(v1, 1), deprecated, ...events]);
          expect(state.status === 'Defined' && state.deprecated).toBeUndefined();
        });
      given([applied(v1, 1)])
        .when(reinstate())
        .thenNothingHappened();
      given([]).when(reinstate()).thenThrows(NotFoundError);
    });
    it('a rollback carries the manifest it makes running again', () => {
      given([applied(v1, 1), applied(v2, 2)])
        .when(rollBack(1))
        .thenEvents((events) =>
          expect(events[0]?.data).toMatchObject({ manifest: normalised(v1) }),
        );
    });
  });
});
