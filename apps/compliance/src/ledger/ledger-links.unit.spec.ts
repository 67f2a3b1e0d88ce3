import fc from 'fast-check';
import type { ParsedCloudEvent } from '@trainyard/messaging';
import type {
  ReleaseClosedV1,
  ReleaseScopeCommittedV1,
  WorkloadRegisteredV1,
} from '@trainyard/planning-contracts';
import type {
  FreezeOverrideApprovedV1,
  FreezeOverrideRequestedV1,
} from '@trainyard/scheduling-contracts';
import type { PolicyEvaluatedV1 } from '@trainyard/compliance-contracts';
import { actorOf, controlsOf, ledgerFactsOf, scanIdLinks, trailKindOf } from './ledger-links';

const event = (
  service: string,
  eventType: string,
  data: unknown,
  extra: Partial<ParsedCloudEvent> = {},
): ParsedCloudEvent => ({
  specversion: '1.0',
  id: 'e-1',
  source: `/trainyard/${service}`,
  type: `dev.trainyard.${service}.${eventType}.v1`,
  eventType,
  schemaVersion: 1,
  data,
  key: null,
  extensions: {},
  ...extra,
});

describe('ledger link extraction', () => {
  it('links a registered workload to itself and takes the extension actor when the data names none', () => {
    const data = { workloadId: 'w-1', title: 'x' } as unknown as WorkloadRegisteredV1;
    const facts = ledgerFactsOf(
      event('planning', 'WorkloadRegistered', data, { actor: 'user:ann' }),
    );
    expect(facts).toEqual({
      sourceService: 'planning',
      eventType: 'WorkloadRegistered',
      actor: 'user:ann',
      links: [{ kind: 'workload', id: 'w-1' }],
      controls: [],
      trailKind: 'change-request',
    });
  });

  it('links a committed scope to its release, train and every included workload once', () => {
    const data: ReleaseScopeCommittedV1 = {
      releaseId: 'r-1',
      trainId: 't-1',
      workloads: [
        { workloadId: 'w-1', team: 'a', jobSize: 1, changeType: 'standard', order: 1 },
        { workloadId: 'w-2', team: 'a', jobSize: 1, changeType: 'standard', order: 2 },
      ],
      deploymentOrder: [
        { workloadId: 'w-2', wave: 1 },
        { workloadId: 'w-1', wave: 2 },
      ],
      capacityTotal: 10,
      capacityUsed: 2,
      deferredCount: 0,
      policyVersion: 'p1',
      committedBy: 'user:bob',
      committedAt: '2031-05-04T09:00:00.000Z',
    } as unknown as ReleaseScopeCommittedV1;
    const facts = ledgerFactsOf(event('planning', 'ReleaseScopeCommitted', data, { actor: 'svc' }));
    expect(facts.links).toEqual([
      { kind: 'release', id: 'r-1' },
      { kind: 'train', id: 't-1' },
      { kind: 'workload', id: 'w-1' },
      { kind: 'workload', id: 'w-2' },
    ]);
    expect(facts.actor).toBe('user:bob');
    expect(facts.trailKind).toBe('release');
  });

  it('links a closed release to its release and its completed workloads', () => {
    const data = {
      releaseId: 'r-1',
      trainId: 't-1',
      kind: 'train',
      completed: [{ workloadId: 'w-9', team: 'a' }],
      closedBy: 'user:cy',
    } as unknown as ReleaseClosedV1;
    const facts = ledgerFactsOf(event('planning', 'ReleaseClosed', data));
    expect(facts.links).toContainEqual({ kind: 'workload', id: 'w-9' });
    expect(facts.links).toContainEqual({ kind: 'release', id: 'r-1' });
    expect(facts.actor).toBe('user:cy');
  });

  it('links a policy evaluation to its subject, policy, cause and the controls of its rules', () => {
    const data: PolicyEvaluatedV1 = {
      evaluationId: 'ev-1',
      subject: { type: 'workload', id: 'w-1' },
      trigger: 'workload-registered',
      policyId: 'pol-1',
      bundleVersion: '1',
      evaluatorVersion: '1',
      result: 'blocked',
      rules: [
        {
          ruleId: 'r1',
          effect: 'block',
          controls: ['SOX-404', 'CC8.1'],
          outcome: 'failed',
          reason: 'x',
        },
        { ruleId: 'r2', effect: 'warn', controls: ['CC8.1'], outcome: 'passed', reason: 'y' },
      ],
      cause: { eventId: 'e-0', eventType: 'WorkloadRegistered' },
      evaluatedAt: '2031-05-04T09:00:00.000Z',
    };
    const facts = ledgerFactsOf(
      event('compliance', 'PolicyEvaluated', data, { actor: 'compliance' }),
    );
    expect(facts.links).toEqual([
      { kind: 'evaluation', id: 'ev-1' },
      { kind: 'event', id: 'e-0' },
      { kind: 'policy', id: 'pol-1' },
      { kind: 'rule', id: 'r1' },
      { kind: 'rule', id: 'r2' },
      { kind: 'workload', id: 'w-1' },
    ]);
    expect(facts.controls).toEqual(['CC8.1', 'SOX-404']);
    expect(facts.trailKind).toBe('policy-evaluation');
    expect(facts.actor).toBe('compliance');
  });

  it('links an override request to its override, freeze and scope, and an approval to its approver', () => {
    const requested = {
      overrideId: 'o-1',
      freezeId: 'f-1',
      scope: { trains: ['t-1'], components: ['c-1'] },
      requestedBy: 'user:dee',
    } as unknown as FreezeOverrideRequestedV1;
    const facts = ledgerFactsOf(event('scheduling', 'FreezeOverrideRequested', requested));
    expect(facts.links).toEqual([
      { kind: 'component', id: 'c-1' },
      { kind: 'freeze', id: 'f-1' },
      { kind: 'override', id: 'o-1' },
      { kind: 'train', id: 't-1' },
    ]);
    expect(facts.trailKind).toBe('override');
    const approved = {
      overrideId: 'o-1',
      approvedBy: 'user:eve',
    } as unknown as FreezeOverrideApprovedV1;
    const approval = ledgerFactsOf(event('scheduling', 'FreezeOverrideApproved', approved));
    expect(approval.actor).toBe('user:eve');
    expect(approval.trailKind).toBe('approval');
  });

  it('falls back to scanning *Id / *Ids fields for unknown types (deployment, foreign producers)', () => {
    const facts = ledgerFactsOf(
      event(
        'deployment',
        'PackagePromoted',
        {
          deploymentId: 'd-1',
          releaseId: 'r-1',
          packageIds: ['p-1', 'p-2', 7],
          nested: { steps: [{ workloadId: 'w-1' }] },
          promotedBy: 'user:fay',
        },
        { extensions: { controls: 'CHG-1, CHG-2' } },
      ),
    );
    expect(facts.links).toEqual([
      { kind: 'deployment', id: 'd-1' },
      { kind: 'package', id: 'p-1' },
      { kind: 'package', id: 'p-2' },
      { kind: 'release', id: 'r-1' },
      { kind: 'workload', id: 'w-1' },
    ]);
    expect(facts.controls).toEqual(['CHG-1', 'CHG-2']);
    expect(facts.trailKind).toBe('package');
    expect(facts.actor).toBe('user:fay');
  });

  it('takes the service from the source when the type is foreign', () => {
    const facts = ledgerFactsOf({
      ...event('metrics', 'X', null),
      type: 'com.example.thing',
      eventType: undefined,
      schemaVersion: undefined,
    });
    expect(facts.sourceService).toBe('metrics');
    expect(facts.eventType).toBe('com.example.thing');
    expect(facts.trailKind).toBe('metrics');
    expect(facts.links).toEqual([]);
  });

  it('classifies trail kinds', () => {
    expect(trailKindOf('deployment', 'PromotionStarted')).toBe('promotion');
    expect(trailKindOf('deployment', 'DeploymentRolledBack')).toBe('rollback');
    expect(trailKindOf('scheduling', 'ReleaseScheduled')).toBe('schedule');
    expect(trailKindOf('compliance', 'PolicyBundleApproved')).toBe('approval');
  });

  it('never throws and yields deduplicated string links for any JSON data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (data, actor) => {
        const links = scanIdLinks(data);
        for (const link of links) expect(typeof link.id).toBe('string');
        const facts = ledgerFactsOf(event('planning', 'ReleaseScopeCommitted', data, { actor }));
        const keys = facts.links.map((l) => `${l.kind}\u0000${l.id}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(Array.isArray(controlsOf(data, {}))).toBe(true);
        actorOf({ data, actor });
      }),
    );
  });

  // ledgerFactsOf walks the data once for ids and controls (visitIdsAndControls): it must find
  // what the two walks find apart, tag lists and nesting included.
  it('finds the same links and controls in one walk as scanIdLinks and controlsOf apart', () => {
    const key = fc.constantFrom(
      'workloadId',
      'releaseIds',
      'controls',
      'controlTags',
      'note',
      'by',
    );
    const { data } = fc.letrec((tie) => ({
      data: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.string({ maxLength: 3 }),
        fc.integer(),
        fc.array(tie('data'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(key, fc.string({ maxLength: 3 })), tie('data'), { maxKeys: 5 }),
      ),
    }));
    // Deeper than MAX_DEPTH, and a tag list holding an object (ids are found inside, tags not).
    const nested = (level: number): unknown =>
      level === 9
        ? 'end'
        : { workloadId: `w-${level}`, controls: [`c-${level}`], note: nested(level + 1) };
    const tagObject = { controls: ['c-1', { controls: ['c-2'], workloadId: 'w-in' }] };
    fc.assert(
      fc.property(data, fc.string({ maxLength: 8 }), (value, extension) => {
        const extensions = { controls: extension };
        const facts = ledgerFactsOf(
          event('deployment', 'SomethingHappened', value, { extensions }),
        );
        const apart = new Map(scanIdLinks(value).map((l) => [`${l.kind}\u0000${l.id}`, l]));
        const sorted = [...apart.values()].sort((a, b) =>
          a.kind === b.kind ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.kind < b.kind ? -1 : 1,
        );
        expect(facts.links).toEqual(sorted);
        expect(facts.controls).toEqual(controlsOf(value, extensions));
      }),
      {
        examples: [
          [nested(0), ''],
          [tagObject, 'X,Y'],
        ],
      },
    );
  });
});
