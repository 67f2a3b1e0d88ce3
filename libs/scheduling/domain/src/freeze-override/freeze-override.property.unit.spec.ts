import fc from 'fast-check';
import { DEFAULT_OVERRIDE_POLICY } from '../policy/override-policy';
import { FROM, HOUR, NOW, TO, requestData } from '../test-support/freeze-override.fixtures';
import type { FreezeOverrideCommand } from './freeze-override.commands';
import { freezeOverrideDecider } from './freeze-override.decider';
import type { FreezeOverride } from './freeze-override.state';
import { isOverrideActive, overrideCovers } from './override-terms';

const ACTORS = ['requester', 'bob', 'carol', 'dave', 'admin'] as const;
const START = Date.parse(NOW);
const iso = (ms: number) => new Date(ms).toISOString();

type Step = { kind: string; actor: string; hours: number };

const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom(
    'approve',
    'approve',
    'approve',
    'reject',
    'revoke',
    'expire',
    'use',
    'request',
  ),
  actor: fc.constantFrom(...ACTORS),
  hours: fc.integer({ min: 0, max: 8 }),
});

const commandOf = (step: Step, now: string): FreezeOverrideCommand => {
  const metadata = { now, actor: step.actor, reason: 'because' };
  const overrideId = 'O-1';
  switch (step.kind) {
    case 'approve':
      return { type: 'ApproveFreezeOverride', data: { overrideId }, metadata };
    case 'reject':
      return { type: 'RejectFreezeOverride', data: { overrideId }, metadata };
    case 'revoke':
      return { type: 'RevokeFreezeOverride', data: { overrideId }, metadata };
    case 'expire':
      return { type: 'ExpireFreezeOverride', data: { overrideId }, metadata };
    case 'use':
      return {
        type: 'RecordFreezeOverrideUse',
        data: {
          overrideId,
          deploymentId: `D-${now}`,
          start: now,
          end: iso(Date.parse(now) + HOUR),
          scope: requestData().scope,
        },
        metadata,
      };
    default:
      return { type: 'RequestFreezeOverride', data: requestData(), metadata };
  }
};

/** Runs a random history: refused commands change nothing, as in the service. */
const run = (requiredTeams: boolean, steps: readonly Step[]) => {
  const context = { policy: DEFAULT_OVERRIDE_POLICY };
  let state: FreezeOverride = freezeOverrideDecider.initialState();
  const first: FreezeOverrideCommand = {
    type: 'RequestFreezeOverride',
    data: requestData(requiredTeams ? { scope: { teams: ['payments'] } } : {}),
    metadata: { now: NOW, actor: 'requester' },
  };
  const states: FreezeOverride[] = [];
  let clock = START;
  for (const command of [
    first,
    ...steps.map((s) => commandOf(s, iso((clock += s.hours * HOUR)))),
  ]) {
    try {
      const events = freezeOverrideDecider.decide(command, state, context);
      state = events.reduce(freezeOverrideDecider.evolve, state);
    } catch {
      // refused: nothing written
    }
    states.push(state);
  }
  return states;
};

describe('freeze override invariants (generated histories)', () => {
  it('is never active without N distinct approvals by others than the requester, given before that instant', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(stepArb, { maxLength: 25 }),
        fc.integer({ min: -10, max: 60 }),
        (payments, steps, probeHours) => {
          for (const state of run(payments, steps)) {
            const atMs = START + probeHours * HOUR;
            if (!isOverrideActive(state, atMs)) continue;
            if (state.status === 'None') return false;
            const approvers = new Set(
              state.approvals
                .filter((a) => Date.parse(a.approvedAt) <= atMs)
                .map((a) => a.approvedBy),
            );
            approvers.delete(state.requestedBy);
            expect(approvers.size).toBeGreaterThanOrEqual(state.requiredApprovals);
            expect(state.requiredApprovals).toBeGreaterThanOrEqual(payments ? 3 : 2);
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is never active at or after `to`, nor after a revocation, and covers nothing then', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { maxLength: 25 }),
        fc.integer({ min: 0, max: 1_000 }),
        (steps, extra) => {
          for (const state of run(false, steps)) {
            if (state.status === 'None') continue;
            const after = Date.parse(state.to) + extra * 60_000;
            expect(isOverrideActive(state, after)).toBe(false);
            const revokedAt = state.status === 'Revoked' ? Date.parse(state.revokedAt) : undefined;
            expect(
              revokedAt !== undefined && isOverrideActive(state, revokedAt + extra * 60_000),
            ).toBe(false);
            expect(
              overrideCovers([state], state.scope, { start: after - HOUR, end: after }, after),
            ).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a covered deployment lies inside the override: scope, interval and activation', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { maxLength: 20 }),
        fc.integer({ min: -5, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.subarray(['checkout', 'ledger']),
        (steps, startHours, lengthHours, components) => {
          for (const state of run(false, steps)) {
            if (state.status === 'None') continue;
            const interval = {
              start: Date.parse(FROM) + startHours * HOUR,
              end: Date.parse(FROM) + (startHours + lengthHours) * HOUR,
            };
            const scope = { teams: ['storefront'], environments: ['prod'], components };
            const atMs = interval.start - HOUR;
            if (!overrideCovers([state], scope, interval, atMs)) continue;
            expect(isOverrideActive(state, atMs)).toBe(true);
            expect(interval.start).toBeGreaterThanOrEqual(Date.parse(FROM));
            expect(interval.end).toBeLessThanOrEqual(Date.parse(TO));
            expect(components).toEqual(['checkout']);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
