import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parse } from 'yaml';
import { PLANNING_EVENT_TYPES } from './projected-event';
import { planningLifecycle } from './test-support/planning-lifecycle.scenario';

// The AsyncAPI document is the published contract of trainyard.planning.events.v1: GRC tools and
// other services code against it, so every event the domain emits must validate against it.
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

interface AsyncApiDocument {
  asyncapi: string;
  channels: { planningEvents: { address: string; messages: Record<string, unknown> } };
  components: {
    messages: Record<string, { payload: { $ref: string } }>;
    schemas: Record<string, unknown>;
  };
}

describe('docs/asyncapi/planning.asyncapi.yaml', () => {
  const document = parse(readFileSync(DOCUMENT_PATH, 'utf8')) as AsyncApiDocument;
  // zod resolves local `#/definitions/…` refs only, so the component schemas are re-rooted there.
  const definitions = JSON.parse(
    JSON.stringify(document.components.schemas).replaceAll(
      '#/components/schemas/',
      '#/definitions/',
    ),
  ) as Record<string, unknown>;
  const schemaOf = (ref: string) =>
    z.fromJSONSchema(
      { $ref: ref.replace('#/components/schemas/', '#/definitions/'), definitions },
      {
        defaultTarget: 'draft-7',
      },
    );

  it('is an AsyncAPI 3 document for trainyard.planning.events.v1 with one message per planning event type', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.channels.planningEvents.address).toBe('trainyard.planning.events.v1');
    expect(Object.keys(document.channels.planningEvents.messages).sort()).toEqual(
      [...PLANNING_EVENT_TYPES].sort(),
    );
    expect(Object.keys(document.components.messages).sort()).toEqual(
      [...PLANNING_EVENT_TYPES].sort(),
    );
  });

  it('documents a payload schema every event of a whole lifecycle validates against', () => {
    const failures: string[] = [];
    for (const { event } of planningLifecycle().events) {
      const ref = document.components.messages[event.type]?.payload.$ref ?? '';
      const result = schemaOf(ref).safeParse(event.data);
      if (!result.success) failures.push(`${event.type}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses a payload that lacks a required field (the schemas are not vacuous)', () => {
    const deferred = schemaOf('#/components/schemas/WorkloadDeferred');
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
      schemaOf('#/components/schemas/WorkloadRegistered').safeParse({ workloadId: 'W-1' }).success,
    ).toBe(false);
  });
});
