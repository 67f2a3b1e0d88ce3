import {
  jobDefinitionDecider,
  type JobDefinitionCommand,
  type JobDefinitionEvent,
} from '@trainyard/scheduling-domain';
import { asyncApiContract } from '@trainyard/testing';
import {
  JOB_DEFINITION_INTEGRATION_EVENTS,
  jobDefinitionIntegrationEventOf,
} from './job-definition-integration.mapping';
import { schedulingIntegrationEventOf } from './scheduling-integration.mapping';

// The job-definition events' part of the AsyncAPI contract: every event the decider emits over a
// whole lifecycle is published and validates against its schema (no missing, no extra field).
const contract = asyncApiContract('scheduling.asyncapi.yaml');

const NAME = 'finance.ledger.month-end-close';
const manifest = (prodBatch: number, criticality = 'critical') => ({
  name: NAME,
  owner: 'finance',
  criticality,
  parameters: { batchSize: 'number' },
  environments: {
    dev: { batchSize: 1 },
    staging: { batchSize: 2 },
    prod: { batchSize: prodBatch },
  },
  tasks: [
    {
      id: 'export',
      executor: { kind: 'command', program: 'ledger-export', args: ['{{batchSize}}'] },
      timeoutSeconds: 60,
    },
  ],
});

/** Propose → approve → direct change → propose → roll back (withdrawing it) → deprecate → reinstate. */
const lifecycle = (): JobDefinitionEvent[] => {
  const at = (actor: string) => ({ now: '2031-05-04T09:00:00.000Z', actor });
  let state = jobDefinitionDecider.initialState();
  const out: JobDefinitionEvent[] = [];
  const step = (command: JobDefinitionCommand) => {
    for (const event of jobDefinitionDecider.decide(command, state, undefined)) {
      state = jobDefinitionDecider.evolve(state, event);
      out.push(event);
    }
  };
  step({ type: 'ApplyJobManifest', data: { manifest: manifest(10) }, metadata: at('alice') });
  const digest = (out[0] as Extract<JobDefinitionEvent, { type: 'JobManifestProposed' }>).data
    .digest;
  step({ type: 'ApproveJobManifest', data: { name: NAME, digest }, metadata: at('bob') });
  step({
    type: 'ApplyJobManifest',
    data: { manifest: manifest(10, 'high') },
    metadata: at('alice'),
  });
  step({
    type: 'ApplyJobManifest',
    data: { manifest: manifest(20, 'high') },
    metadata: at('alice'),
  });
  step({ type: 'RollBackJobManifest', data: { name: NAME, toVersion: 1 }, metadata: at('carol') });
  step({ type: 'DeprecateJob', data: { name: NAME, reason: 'replaced' }, metadata: at('carol') });
  step({
    type: 'ReinstateJob',
    data: { name: NAME, reason: 'still needed' },
    metadata: at('carol'),
  });
  return out;
};

describe('job-definition events in the AsyncAPI contract', () => {
  it('documents a message, a channel entry and a schema for every catalogued type', () => {
    expect(contract.undocumented(JOB_DEFINITION_INTEGRATION_EVENTS)).toEqual([]);
  });

  it('publishes every event of a whole lifecycle, each valid against the schema ce_dataschema names', () => {
    const events = lifecycle();
    expect(events.map((e) => e.type)).toEqual([
      'JobManifestProposed',
      'JobManifestApplied',
      'JobManifestApplied',
      'JobManifestProposed',
      'JobManifestRolledBack',
      'JobDeprecated',
      'JobReinstated',
    ]);
    const seen = new Set<string>();
    for (const event of events) {
      const published = schedulingIntegrationEventOf(event);
      expect(published).toEqual(jobDefinitionIntegrationEventOf(event));
      seen.add(`${published?.type}.v${published?.version}`);
      expect(contract.payloadProblems(event.type, published?.dataschema, published?.data)).toEqual(
        [],
      );
    }
    expect([...seen].sort()).toEqual(
      JOB_DEFINITION_INTEGRATION_EVENTS.map((e) => `${e.type}.v${e.version}`).sort(),
    );
  });

  it('keeps the manifest internal: only its name, owner, digest and changed paths are published', () => {
    const applied = lifecycle().find((e) => e.type === 'JobManifestApplied');
    const published = applied && schedulingIntegrationEventOf(applied);
    expect(published?.data).not.toHaveProperty('manifest');
    expect(published?.data).toMatchObject({ approvedBy: 'bob', owner: 'finance' });
  });

  it('is told apart from a payload that drifted (so the checks above can fail)', () => {
    expect(
      contract.schemaNamed('JobDeprecated.v1').safeParse({
        name: NAME,
        reason: 'r',
        deprecatedBy: 'x',
        deprecatedAt: '2031-05-04T09:00:00.000Z',
        manifest: {},
      }).success,
    ).toBe(false);
    expect(
      contract.schemaNamed('JobManifestApplied.v1').safeParse({ name: 'Not A Job', version: 1 })
        .success,
    ).toBe(false);
  });
});
