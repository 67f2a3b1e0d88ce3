import { createComponentTree } from '../../component/component-tree';
import type { OverrideTerms } from '../../freeze-override/freeze-override.state';
import { decideRunGate, type GateInterval, type RunGateInput } from './run-gate';

const at = (iso: string) => Date.parse(iso);
const AT = at('2031-05-04T10:00:00Z');

const window = (id: string, from: string, to: string, components: string[] = []): GateInterval => ({
  id,
  scope: { components },
  start: at(from),
  end: at(to),
});

const given = (input: Partial<RunGateInput>): RunGateInput => ({
  subject: { components: ['db-payments'] },
  at: AT,
  maintenance: [],
  freezes: [],
  overrides: [],
  ...input,
});

const override = (terms: Partial<OverrideTerms>): OverrideTerms => ({
  overrideId: 'O-1',
  freezeId: 'F-1',
  scope: { components: ['db-payments'] },
  from: '2031-05-04T09:00:00Z',
  to: '2031-05-04T12:00:00Z',
  activatedAt: '2031-05-04T08:30:00Z',
  revokedAt: null,
  ...terms,
});

describe('run gate (issue 12 item 5): the calendar applied to a job start', () => {
  describe('a job without components', () => {
    it('is never gated, even inside a freeze and a maintenance window for everything', () => {
      expect(
        decideRunGate(
          given({
            subject: { components: [] },
            freezes: [window('F-1', '2031-05-04T09:00:00Z', '2031-05-04T11:00:00Z')],
            maintenance: [window('M-1', '2031-05-04T09:00:00Z', '2031-05-04T11:00:00Z')],
          }),
        ),
      ).toEqual({ kind: 'open' });
    });
  });

  describe('maintenance windows', () => {
    it('pause a job declaring the component until the window ends', () => {
      const verdict = decideRunGate(
        given({
          maintenance: [
            window('M-1', '2031-05-04T09:30:00Z', '2031-05-04T11:00:00Z', ['db-payments']),
          ],
        }),
      );
      expect(verdict).toMatchObject({
        kind: 'pause',
        until: '2031-05-04T11:00:00Z',
        windowIds: ['M-1'],
      });
    });

    it('of a parent component pause a job declaring its child', () => {
      const tree = createComponentTree([
        ['db-payments', 'db-cluster'],
        ['db-cluster', undefined],
      ]);
      const verdict = decideRunGate(
        given({
          tree,
          maintenance: [
            window('M-p', '2031-05-04T09:30:00Z', '2031-05-04T10:30:00Z', ['db-cluster']),
          ],
        }),
      );
      expect(verdict).toMatchObject({ kind: 'pause', until: '2031-05-04T10:30:00Z' });
    });

    it('back to back are one pause, to the end of the last', () => {
      const verdict = decideRunGate(
        given({
          maintenance: [
            window('M-2', '2031-05-04T11:00:00Z', '2031-05-04T12:00:00Z', ['db-payments']),
            window('M-1', '2031-05-04T09:00:00Z', '2031-05-04T11:00:00Z', ['db-payments']),
            window('M-3', '2031-05-04T13:00:00Z', '2031-05-04T14:00:00Z', ['db-payments']),
          ],
        }),
      );
      expect(verdict).toMatchObject({
        kind: 'pause',
        until: '2031-05-04T12:00:00Z',
        windowIds: ['M-1', 'M-2'],
      });
    });

    it('on other components, or not yet begun, or already ended, leave the job open', () => {
      expect(
        decideRunGate(
          given({
            maintenance: [
              window('M-x', '2031-05-04T09:00:00Z', '2031-05-04T11:00:00Z', ['search']),
              window('M-later', '2031-05-04T10:00:01Z', '2031-05-04T11:00:00Z', ['db-payments']),
              window('M-ended', '2031-05-04T08:00:00Z', '2031-05-04T10:00:00Z', ['db-payments']),
            ],
          }),
        ),
      ).toEqual({ kind: 'open' });
    });

    it('scoped to another environment leave a job in a known environment open', () => {
      const prodOnly: GateInterval = {
        ...window('M-prod', '2031-05-04T09:00:00Z', '2031-05-04T11:00:00Z', ['db-payments']),
        scope: { components: ['db-payments'], environments: ['prod'] },
      };
      expect(
        decideRunGate(
          given({
            subject: { components: ['db-payments'], environment: 'dev' },
            maintenance: [prodOnly],
          }),
        ),
      ).toEqual({ kind: 'open' });
      // Unknown environment: the safe side, the window applies.
      expect(decideRunGate(given({ maintenance: [prodOnly] })).kind).toBe('pause');
    });
  });

  describe('freezes', () => {
    const freeze = window('F-1', '2031-05-04T09:00:00Z', '2031-05-04T18:00:00Z', ['db-payments']);

    it('block a job declaring the component', () => {
      const verdict = decideRunGate(given({ freezes: [freeze] }));
      expect(verdict).toMatchObject({ kind: 'block', freezeIds: ['F-1'] });
    });

    it('for everything (no component list) block every job that declares components', () => {
      const all = { ...freeze, scope: {} };
      expect(decideRunGate(given({ freezes: [all] })).kind).toBe('block');
    });

    it('are stronger than a maintenance window at the same time', () => {
      const verdict = decideRunGate(
        given({
          freezes: [freeze],
          maintenance: [
            window('M-1', '2031-05-04T09:00:00Z', '2031-05-04T11:00:00Z', ['db-payments']),
          ],
        }),
      );
      expect(verdict.kind).toBe('block');
    });

    it('are lifted by an approved override active at the start that covers the job (then maintenance still pauses)', () => {
      expect(decideRunGate(given({ freezes: [freeze], overrides: [override({})] }))).toEqual({
        kind: 'open',
      });
      const verdict = decideRunGate(
        given({
          freezes: [freeze],
          overrides: [override({})],
          maintenance: [
            window('M-1', '2031-05-04T09:00:00Z', '2031-05-04T11:00:00Z', ['db-payments']),
          ],
        }),
      );
      expect(verdict.kind).toBe('pause');
    });

    it('are not lifted by an override that is pending, revoked, for another freeze, another component, or not yet begun', () => {
      for (const o of [
        override({ activatedAt: null }),
        override({ revokedAt: '2031-05-04T09:30:00Z' }),
        override({ freezeId: 'F-other' }),
        override({ scope: { components: ['search'] } }),
        override({ from: '2031-05-04T10:30:00Z' }),
        override({ scope: { components: ['db-payments'], teams: ['payments'] } }),
      ])
        expect(decideRunGate(given({ freezes: [freeze], overrides: [o] })).kind).toBe('block');
    });

    it('scoped to a team lifted by an override for that team when the job states its team', () => {
      const o = override({ scope: { components: ['db-payments'], teams: ['payments'] } });
      expect(
        decideRunGate(
          given({
            subject: { components: ['db-payments'], team: 'payments' },
            freezes: [freeze],
            overrides: [o],
          }),
        ).kind,
      ).toBe('open');
    });

    it('scoped to trains never apply to jobs (jobs have no train)', () => {
      const trainFreeze = { ...freeze, scope: { trains: ['main'] } };
      expect(decideRunGate(given({ freezes: [trainFreeze] })).kind).toBe('open');
    });
  });
});
