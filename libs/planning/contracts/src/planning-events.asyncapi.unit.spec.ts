import { toIntegrationCloudEventMessage } from '@trainyard/messaging';
import {
  DEFAULT_PLANNING_POLICY,
  allocate,
  toAllocationCandidate,
} from '@trainyard/planning-domain';
import {
  PlanningScenario,
  planningLifecycle,
  registration,
} from '@trainyard/planning-read-models/testing';
import { asyncApiContract, storedEventOf } from '@trainyard/testing';
import {
  PLANNING_ASYNCAPI_ID,
  PLANNING_EVENT_SOURCE,
  PLANNING_EVENTS_TOPIC,
  PLANNING_INTEGRATION_EVENTS,
  planningCloudEventType,
  planningDataschema,
  planningIntegrationEventOf,
  toIntegrationEvent,
  type PlanningDomainEvent,
} from './index';

// The AsyncAPI document is the published contract of trainyard.planning.events.v1: GRC tools and
// other services code against it, so every event planning publishes (its domain events through
// the contract mapping) must validate against it, headers included.
const contract = asyncApiContract('planning.asyncapi.yaml');

/** A stored event as the outbox relay reads it, for a domain event of the scenario. */
const stored = (event: PlanningDomainEvent, streamVersion: number, n: number) =>
  storedEventOf(event, n, {
    streamId: `planning-stream-${n}`,
    streamVersion,
    optionalHeaders: true,
  });

const firstOfLifecycle = () => {
  const first = planningLifecycle().events[0];
  if (!first) throw new Error('the lifecycle has no events');
  return first;
};

describe('docs/asyncapi/planning.asyncapi.yaml', () => {
  it('is a valid AsyncAPI document: @asyncapi/parser reports no error and no warning', async () => {
    // What the parser resolved agrees with the raw document the other tests read.
    expect(await contract.parsed()).toEqual({
      problems: [],
      id: PLANNING_ASYNCAPI_ID,
      channels: [PLANNING_EVENTS_TOPIC],
      messages: PLANNING_INTEGRATION_EVENTS.map((e) => e.type).sort(),
      withoutDataschemaHeader: [],
    });
  });

  it('documents one message per published event of the contract on trainyard.planning.events.v1, its payload the schema ce_dataschema names', () => {
    const { document } = contract;
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.id).toBe(PLANNING_ASYNCAPI_ID);
    expect(document.channels['planningEvents']?.address).toBe(PLANNING_EVENTS_TOPIC);
    expect(contract.undocumented(PLANNING_INTEGRATION_EVENTS, { whole: true })).toEqual([]);
    for (const event of PLANNING_INTEGRATION_EVENTS) {
      const [, pointer] = planningDataschema(event).split('#');
      expect(document.components.messages[event.type]?.payload?.$ref).toBe(`#${pointer}`);
    }
  });

  it('every domain event of a whole lifecycle is published as a mapped integration event whose Kafka message validates against the CloudEvents trait and the schema ce_dataschema names', () => {
    const lifecycle = planningLifecycle().events;
    const { problems, publications, internal } = contract.publishAll(
      lifecycle.map((e) => e.event),
      {
        service: 'planning',
        publish: planningIntegrationEventOf,
        stored: (event, n) => stored(event, lifecycle[n - 1]?.streamVersion ?? n, n),
      },
    );
    expect(internal).toEqual([]);
    expect(problems).toEqual([]);
    for (const { published, message } of publications)
      expect(message.headers).toMatchObject({
        ce_type: planningCloudEventType(published),
        ce_source: PLANNING_EVENT_SOURCE,
        ce_dataschema: planningDataschema(published),
      });
    const seen = new Set(publications.map((p) => `${p.published.type}.v${p.published.version}`));
    // The lifecycle covers the whole catalogue, so no published event goes unchecked.
    expect([...seen].sort()).toEqual(
      PLANNING_INTEGRATION_EVENTS.map((e) => `${e.type}.v${e.version}`).sort(),
    );
  });

  it('refuses headers that break the trait (the header schema is not vacuous)', () => {
    const { event, streamVersion } = firstOfLifecycle();
    const published = planningIntegrationEventOf(event)!;
    const { headers } = toIntegrationCloudEventMessage(
      stored(event, streamVersion, 1),
      published,
      'planning',
    );
    expect(contract.headersSchema.safeParse(headers).success).toBe(true);
    const without = (name: string) =>
      Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
    expect(contract.headersSchema.safeParse(without('ce_dataschema')).success).toBe(false);
    expect(contract.headersSchema.safeParse(without('ce_id')).success).toBe(false);
    expect(
      contract.headersSchema.safeParse({ ...headers, ce_source: '/trainyard/compliance' }).success,
    ).toBe(false);
    expect(
      contract.headersSchema.safeParse({
        ...headers,
        ce_type: 'dev.trainyard.planning.WorkloadRegistered',
      }).success,
    ).toBe(false);
  });

  it('publishes only the contract: a field the domain adds stays internal, and a type the mapping does not know is not published', () => {
    const { event } = firstOfLifecycle();
    // As if a refactor had added a field to the domain event that the contract does not have.
    const withInternalField = {
      ...event,
      data: { ...event.data, internalScore: 42 },
    } as unknown as PlanningDomainEvent;
    expect(toIntegrationEvent(withInternalField)?.data).not.toHaveProperty('internalScore');
    expect(
      planningIntegrationEventOf({ type: 'WorkloadRescored', data: { workloadId: 'W-1' } }),
    ).toBeUndefined();
  });

  it('documents the version skew a commit records when included workloads ship different library versions', () => {
    const s = new PlanningScenario();
    const ids = ['W-A', 'W-B'];
    ids.forEach((id, i) =>
      s.workload({
        type: 'RegisterWorkload',
        data: registration(id, {
          team: i === 0 ? 'payments' : 'ledger',
          libraries: [{ name: 'auth-client', version: i === 0 ? '1.3.1' : '1.2.4' }],
        }),
        metadata: s.meta(),
      }),
    );
    s.release({
      type: 'PlanRelease',
      data: {
        releaseId: 'R-S',
        trainId: 'main',
        window: { start: '2026-12-01T08:00:00.000Z', end: '2026-12-15T18:00:00.000Z' },
      },
      metadata: s.meta(),
    });
    const plan = allocate({
      release: { releaseId: 'R-S', trainId: 'main' },
      candidates: ids.map((id) => {
        const state = s.workloadState(id);
        if (state.status === 'Unregistered') throw new Error(id);
        return toAllocationCandidate(state.profile);
      }),
      capacityByTeam: { payments: 20, ledger: 20 },
      policy: {
        ...DEFAULT_PLANNING_POLICY,
        allocation: { teamCapShare: 1, techDebtReserveShare: 0 },
      },
    });
    s.release({ type: 'CommitScope', data: { releaseId: 'R-S', plan }, metadata: s.meta() });
    const committed = s.events.find((e) => e.event.type === 'ReleaseScopeCommitted')?.event;
    const published = committed && toIntegrationEvent(committed);
    expect(published?.data).toMatchObject({
      versionSkews: [{ library: 'auth-client', target: '1.3.1' }],
    });
    const schema = contract.schemaNamed('ReleaseScopeCommitted.v1');
    expect(schema.safeParse(published?.data).error?.message).toBeUndefined();
    const broken = {
      ...(published?.data as object),
      versionSkews: [{ library: 'auth-client', target: '1.3.1' }],
    };
    expect(schema.safeParse(broken).success).toBe(false);
  });

  it('refuses a payload that lacks a required field (the schemas are not vacuous)', () => {
    const deferred = contract.schemaNamed('WorkloadDeferred.v1');
    const valid = {
      workloadId: 'W-1',
      team: 't',
      reason: 'r',
      deferralCount: 1,
      deferredBy: 'a',
      deferredAt: '2026-11-02T09:00:00Z',
    };
    expect(deferred.safeParse(valid).success).toBe(true);
    expect(deferred.safeParse({ ...valid, reason: undefined }).success).toBe(false);
    expect(
      contract.schemaNamed('WorkloadRegistered.v1').safeParse({ workloadId: 'W-1' }).success,
    ).toBe(false);
  });
});
