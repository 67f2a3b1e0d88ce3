import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { PLANNING_EVENT_TYPES } from './projected-event';
import { planningLifecycle } from './test-support/planning-lifecycle.scenario';

// The AsyncAPI document is the published contract of trainyard.planning.events.v1: GRC tools and
// other services code against it, so every event the domain emits must validate against it.
const DOCUMENT_PATH = join(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi', 'planning.asyncapi.yaml');

interface AsyncApiDocument {
  asyncapi: string;
  channels: { planningEvents: { address: string; messages: Record<string, unknown> } };
  components: { messages: Record<string, { payload: { $ref: string } }>; schemas: Record<string, unknown> };
}

describe('docs/asyncapi/planning.asyncapi.yaml', () => {
  const document = parse(readFileSync(DOCUMENT_PATH, 'utf8')) as AsyncApiDocument;
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'planning.asyncapi', components: document.components }, 'planning.asyncapi');

  it('is an AsyncAPI 3 document for trainyard.planning.events.v1 with one message per planning event type', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.channels.planningEvents.address).toBe('trainyard.planning.events.v1');
    expect(Object.keys(document.channels.planningEvents.messages).sort()).toEqual([...PLANNING_EVENT_TYPES].sort());
    expect(Object.keys(document.components.messages).sort()).toEqual([...PLANNING_EVENT_TYPES].sort());
  });

  it('documents a payload schema every event of a whole lifecycle validates against', () => {
    const failures: string[] = [];
    for (const { event } of planningLifecycle().events) {
      const ref = document.components.messages[event.type]?.payload.$ref ?? '';
      const validate = ajv.getSchema(`planning.asyncapi${ref}`);
      if (!validate) throw new Error(`no schema ${ref} for ${event.type}`);
      if (!validate(event.data)) failures.push(`${event.type}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses a payload that lacks a required field (the schemas are not vacuous)', () => {
    const validate = ajv.getSchema('planning.asyncapi#/components/schemas/WorkloadDeferred');
    expect(validate?.({ workloadId: 'W-1', team: 't', deferralCount: 1, deferredBy: 'a', deferredAt: '2026-11-02T09:00:00Z' })).toBe(false);
  });
});
