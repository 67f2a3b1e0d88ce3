import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { z } from 'zod';
import { parse } from 'yaml';
import type { StoredEvent } from '@trainyard/event-store';
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
const DOCUMENT_PATH = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'docs',
  'asyncapi',
  'planning.asyncapi.yaml',
);
const SOURCE = readFileSync(DOCUMENT_PATH, 'utf8');

type JsonSchema = Record<string, unknown>;

interface AsyncApiDocument {
  asyncapi: string;
  id: string;
  channels: { planningEvents: { address: string; messages: Record<string, unknown> } };
  components: {
    messageTraits: { cloudEventsBinary: { headers: JsonSchema } };
    messages: Record<string, { payload: { $ref: string } }>;
    schemas: Record<string, JsonSchema>;
  };
}

const document = parse(SOURCE) as AsyncApiDocument;
// zod resolves local `#/definitions/…` refs only, so the component schemas are re-rooted there.
const definitions = JSON.parse(
  JSON.stringify(document.components.schemas).replaceAll('#/components/schemas/', '#/definitions/'),
) as Record<string, unknown>;
const schemaAt = (ref: string) =>
  z.fromJSONSchema(
    { $ref: ref.replace('#/components/schemas/', '#/definitions/'), definitions },
    { defaultTarget: 'draft-7' },
  );
/** The schema a `ce_dataschema` URI names: the document's id, then a JSON pointer into it. */
const schemaOfDataschema = (uri: string) => {
  const [base, pointer] = uri.split('#');
  if (base !== document.id || !pointer)
    throw new Error(`${uri} does not point into ${document.id}`);
  const name = pointer.replace('/components/schemas/', '');
  if (!document.components.schemas[name]) throw new Error(`${uri}: no schema ${name}`);
  return schemaAt(`#/components/schemas/${name}`);
};
const headersSchema = z.fromJSONSchema(
  document.components.messageTraits.cloudEventsBinary.headers,
  {
    defaultTarget: 'draft-7',
  },
);

/** A stored event as the outbox relay reads it, for a domain event of the scenario. */
const stored = (event: PlanningDomainEvent, streamVersion: number, n: number): StoredEvent => ({
  position: BigInt(n),
  transactionId: BigInt(1000 + n),
  streamId: `planning-stream-${n}`,
  streamVersion,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    correlationId: `corr-${n}`,
    causationId: n > 1 ? `cause-${n}` : undefined,
    actor: 'alice',
    reason: n % 2 === 0 ? 'stated reason' : undefined,
    trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  },
  recordedAt: new Date(Date.UTC(2026, 10, 2, 9, n % 60)),
});

const firstOfLifecycle = () => {
  const first = planningLifecycle().events[0];
  if (!first) throw new Error('the lifecycle has no events');
  return first;
};

describe('docs/asyncapi/planning.asyncapi.yaml', () => {
  it('is a valid AsyncAPI document: @asyncapi/parser reports no error and no warning', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(SOURCE);
    const severe: number[] = [DiagnosticSeverity.Error, DiagnosticSeverity.Warning];
    const problems = diagnostics
      .filter((d) => severe.includes(d.severity))
      .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(parsed).toBeDefined();
    // What the parser resolved agrees with the raw document the other tests read.
    expect(parsed?.info().id()).toBe(PLANNING_ASYNCAPI_ID);
    expect(
      parsed
        ?.channels()
        .all()
        .map((c) => c.address()),
    ).toEqual([PLANNING_EVENTS_TOPIC]);
    expect(
      parsed
        ?.messages()
        .all()
        .map((m) => m.id())
        .sort(),
    ).toEqual(PLANNING_INTEGRATION_EVENTS.map((e) => e.type).sort());
    for (const message of parsed?.messages().all() ?? [])
      expect(message.headers()?.required()).toContain('ce_dataschema');
  });

  it('documents one message per published event of the contract on trainyard.planning.events.v1, its payload the schema ce_dataschema names', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.id).toBe(PLANNING_ASYNCAPI_ID);
    expect(document.channels.planningEvents.address).toBe(PLANNING_EVENTS_TOPIC);
    const published = PLANNING_INTEGRATION_EVENTS.map((e) => e.type).sort();
    expect(Object.keys(document.channels.planningEvents.messages).sort()).toEqual(published);
    expect(Object.keys(document.components.messages).sort()).toEqual(published);
    for (const event of PLANNING_INTEGRATION_EVENTS) {
      const [, pointer] = planningDataschema(event).split('#');
      expect(document.components.messages[event.type]?.payload.$ref).toBe(`#${pointer}`);
    }
  });

  it('every domain event of a whole lifecycle is published as a mapped integration event whose Kafka message validates against the CloudEvents trait and the schema ce_dataschema names', () => {
    const failures: string[] = [];
    const seen = new Set<string>();
    planningLifecycle().events.forEach(({ event, streamVersion }, i) => {
      const published = planningIntegrationEventOf(event);
      if (!published) return failures.push(`${event.type}: not published`);
      seen.add(`${published.type}.v${published.version}`);
      const message = toIntegrationCloudEventMessage(
        stored(event, streamVersion, i + 1),
        published,
        'planning',
      );
      const headers = headersSchema.safeParse(message.headers);
      if (!headers.success) failures.push(`${event.type} headers: ${headers.error.message}`);
      expect(message.headers).toMatchObject({
        ce_type: planningCloudEventType(published),
        ce_source: PLANNING_EVENT_SOURCE,
        ce_dataschema: planningDataschema(published),
      });
      const value: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
      const data = schemaOfDataschema(message.headers['ce_dataschema'] ?? '').safeParse(value);
      if (!data.success) failures.push(`${event.type} data: ${data.error.message}`);
      return undefined;
    });
    expect(failures).toEqual([]);
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
    expect(headersSchema.safeParse(headers).success).toBe(true);
    const without = (name: string) =>
      Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
    expect(headersSchema.safeParse(without('ce_dataschema')).success).toBe(false);
    expect(headersSchema.safeParse(without('ce_id')).success).toBe(false);
    expect(
      headersSchema.safeParse({ ...headers, ce_source: '/trainyard/compliance' }).success,
    ).toBe(false);
    expect(
      headersSchema.safeParse({ ...headers, ce_type: 'dev.trainyard.planning.WorkloadRegistered' })
        .success,
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
    const schema = schemaAt('#/components/schemas/ReleaseScopeCommitted.v1');
    expect(schema.safeParse(published?.data).error?.message).toBeUndefined();
    const broken = {
      ...(published?.data as object),
      versionSkews: [{ library: 'auth-client', target: '1.3.1' }],
    };
    expect(schema.safeParse(broken).success).toBe(false);
  });

  it('refuses a payload that lacks a required field (the schemas are not vacuous)', () => {
    const deferred = schemaAt('#/components/schemas/WorkloadDeferred.v1');
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
      schemaAt('#/components/schemas/WorkloadRegistered.v1').safeParse({ workloadId: 'W-1' })
        .success,
    ).toBe(false);
  });
});
