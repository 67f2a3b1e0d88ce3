import type { StoredEvent } from '@trainyard/event-store';
import fc from 'fast-check';
import { cloudEventType, parseCloudEventType } from './cloud-event.attributes';
import { toCloudEventMessage, toIntegrationCloudEventMessage } from './cloud-event.encode';
import { InvalidCloudEventError, parseCloudEventMessage } from './cloud-event.parse';
import type { OutgoingMessage } from './message-bus.port';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function storedEvent(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    position: 42n,
    transactionId: 1007n,
    streamId: 'release-7f3c',
    streamVersion: 3,
    type: 'ReleaseScopeCommitted',
    schemaVersion: 2,
    data: { releaseId: '7f3c', workloadIds: ['w-1', 'w-2'], note: 'ünïcödé' },
    metadata: {
      eventId: '2b0c7a52-4d0e-4a43-9a0e-7c1d1e0f7a11',
      correlationId: 'corr-1',
      causationId: 'cause-1',
      actor: 'user:alice',
      reason: 'quarterly release',
      trace: { traceparent: TRACEPARENT, tracestate: 'vendor=abc' },
    },
    recordedAt: new Date('2026-11-23T18:40:31.123Z'),
    ...overrides,
  };
}

function withHeaders(
  message: OutgoingMessage,
  change: (headers: Record<string, string>) => void,
): OutgoingMessage {
  const headers = { ...message.headers };
  change(headers);
  return { ...message, headers };
}

describe('toCloudEventMessage', () => {
  it('maps a stored event to a binary-mode message: attributes in ce_ headers, data as the value, stream id as the key', () => {
    const message = toCloudEventMessage(storedEvent(), 'planning');

    expect(message.key).toBe('release-7f3c');
    expect(JSON.parse(message.value!.toString('utf8'))).toEqual(storedEvent().data);
    expect(message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: '2b0c7a52-4d0e-4a43-9a0e-7c1d1e0f7a11',
      ce_source: '/trainyard/planning',
      ce_type: 'dev.trainyard.planning.ReleaseScopeCommitted.v2',
      ce_subject: 'release-7f3c',
      ce_time: '2026-11-23T18:40:31.123Z',
      'content-type': 'application/json',
      ce_correlationid: 'corr-1',
      ce_causationid: 'cause-1',
      ce_actor: 'user:alice',
      ce_reason: 'quarterly release',
      ce_streamversion: '3',
      ce_position: '42',
      traceparent: TRACEPARENT,
      tracestate: 'vendor=abc',
    });
  });

  it('leaves optional attributes out when the metadata has none, and adds dataschema when given', () => {
    const message = toCloudEventMessage(
      storedEvent({
        metadata: { eventId: 'e-1', correlationId: 'c-1', actor: 'system:scheduler' },
      }),
      'planning',
      { dataschema: 'https://schemas.trainyard.dev/planning/ReleaseScopeCommitted/v2.json' },
    );

    expect(message.headers).not.toHaveProperty('ce_causationid');
    expect(message.headers).not.toHaveProperty('ce_reason');
    expect(message.headers).not.toHaveProperty('traceparent');
    expect(message.headers).not.toHaveProperty('tracestate');
    expect(message.headers['ce_dataschema']).toBe(
      'https://schemas.trainyard.dev/planning/ReleaseScopeCommitted/v2.json',
    );
  });

  it('names every attribute header in lower-case alphanumerics after the ce_ prefix, as the spec requires', () => {
    const names = Object.keys(
      toCloudEventMessage(storedEvent(), 'planning', { dataschema: 'urn:x' }).headers,
    );
    for (const name of names.filter((n) => n.startsWith('ce_')))
      expect(name.slice(3)).toMatch(/^[a-z0-9]+$/);
  });

  it('refuses a service name that would make an ambiguous source or type', () => {
    expect(() => toCloudEventMessage(storedEvent(), 'Planning.Service')).toThrow(
      /invalid service name/,
    );
  });
});

describe('toIntegrationCloudEventMessage', () => {
  it('takes type, version, data and dataschema from the integration event, and identity, metadata, trace and position from the stored event', () => {
    const stored = storedEvent();
    const message = toIntegrationCloudEventMessage(
      stored,
      {
        type: 'ReleaseScopeCommitted',
        version: 1,
        data: { releaseId: '7f3c' },
        dataschema: 'urn:trainyard:planning:events#/components/schemas/ReleaseScopeCommitted.v1',
      },
      'planning',
    );
    const asStored = toCloudEventMessage(stored, 'planning');

    expect(message.key).toBe(asStored.key);
    expect(JSON.parse(message.value!.toString('utf8'))).toEqual({ releaseId: '7f3c' });
    expect(message.headers).toEqual({
      ...asStored.headers,
      ce_type: 'dev.trainyard.planning.ReleaseScopeCommitted.v1',
      ce_dataschema: 'urn:trainyard:planning:events#/components/schemas/ReleaseScopeCommitted.v1',
    });
  });
});

describe('parseCloudEventMessage', () => {
  it('reads back every attribute that toCloudEventMessage wrote', () => {
    const parsed = parseCloudEventMessage(
      toCloudEventMessage(storedEvent(), 'planning', { dataschema: 'urn:schema' }),
    );

    expect(parsed).toEqual({
      specversion: '1.0',
      id: '2b0c7a52-4d0e-4a43-9a0e-7c1d1e0f7a11',
      source: '/trainyard/planning',
      type: 'dev.trainyard.planning.ReleaseScopeCommitted.v2',
      subject: 'release-7f3c',
      time: new Date('2026-11-23T18:40:31.123Z'),
      datacontenttype: 'application/json',
      dataschema: 'urn:schema',
      data: storedEvent().data,
      eventType: 'ReleaseScopeCommitted',
      schemaVersion: 2,
      correlationId: 'corr-1',
      causationId: 'cause-1',
      actor: 'user:alice',
      reason: 'quarterly release',
      streamVersion: 3,
      position: 42n,
      trace: { traceparent: TRACEPARENT, tracestate: 'vendor=abc' },
      key: 'release-7f3c',
      extensions: {},
    });
  });

  it('round-trips any stored event (property)', () => {
    const json = fc.jsonValue().filter((v) => v !== null);
    fc.assert(
      fc.property(
        fc.record({
          position: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
          streamId: fc.string({ minLength: 1 }),
          streamVersion: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          type: fc.string({ minLength: 1 }),
          schemaVersion: fc.integer({ min: 1, max: 99 }),
          data: json,
          actor: fc.string({ minLength: 1 }),
          correlationId: fc.uuid(),
          recordedAt: fc.date({
            min: new Date('2000-01-01'),
            max: new Date('2200-01-01'),
            noInvalidDate: true,
          }),
        }),
        (e) => {
          const event = storedEvent({
            position: e.position,
            streamId: e.streamId,
            streamVersion: e.streamVersion,
            type: e.type,
            schemaVersion: e.schemaVersion,
            data: e.data,
            recordedAt: e.recordedAt,
            metadata: { eventId: e.correlationId, correlationId: e.correlationId, actor: e.actor },
          });
          const parsed = parseCloudEventMessage(toCloudEventMessage(event, 'metrics'));
          expect(parsed).toMatchObject({
            id: e.correlationId,
            subject: e.streamId,
            key: e.streamId,
            eventType: e.type,
            schemaVersion: e.schemaVersion,
            streamVersion: e.streamVersion,
            position: e.position,
            actor: e.actor,
            time: e.recordedAt,
          });
          expect(parsed.data).toEqual(JSON.parse(JSON.stringify(e.data)));
        },
      ),
    );
  });

  it.each(['ce_specversion', 'ce_id', 'ce_source', 'ce_type'])(
    'throws InvalidCloudEventError without the required %s',
    (header) => {
      const message = withHeaders(
        toCloudEventMessage(storedEvent(), 'planning'),
        (h) => delete h[header],
      );
      expect(() => parseCloudEventMessage(message)).toThrow(InvalidCloudEventError);
      expect(() => parseCloudEventMessage(message)).toThrow(header);
    },
  );

  it.each([
    ['another spec version', 'ce_specversion', '0.3', /unsupported ce_specversion/],
    ['an empty id', 'ce_id', '', /missing ce_id/],
    ['a time that is not RFC 3339', 'ce_time', '23/11/2026 18:40', /ce_time/],
    ['a time without an offset', 'ce_time', '2026-11-23T18:40:31', /ce_time/],
    ['a non-numeric stream version', 'ce_streamversion', 'three', /ce_streamversion/],
    ['a negative position', 'ce_position', '-1', /ce_position/],
    [
      'structured content mode',
      'content-type',
      'application/cloudevents+json',
      /structured content mode/,
    ],
  ])('throws InvalidCloudEventError for %s', (_case, header, value, error) => {
    const message = withHeaders(
      toCloudEventMessage(storedEvent(), 'planning'),
      (h) => (h[header] = value),
    );
    expect(() => parseCloudEventMessage(message)).toThrow(error);
    expect(() => parseCloudEventMessage(message)).toThrow(InvalidCloudEventError);
  });

  it('throws InvalidCloudEventError when JSON data does not parse', () => {
    const message = {
      ...toCloudEventMessage(storedEvent(), 'planning'),
      value: Buffer.from('{"broken":'),
    };
    expect(() => parseCloudEventMessage(message)).toThrow(/data is not valid JSON/);
  });

  it('accepts a minimal foreign event: only the required attributes, no data, no Trainyard extensions', () => {
    const parsed = parseCloudEventMessage({
      key: null,
      value: null,
      headers: {
        ce_specversion: '1.0',
        ce_id: 'x-1',
        ce_source: 'urn:grc-tool',
        ce_type: 'com.example.audit.Sampled',
        ce_vendorflag: 'on',
      },
    });
    expect(parsed).toEqual({
      specversion: '1.0',
      id: 'x-1',
      source: 'urn:grc-tool',
      type: 'com.example.audit.Sampled',
      data: undefined,
      key: null,
      extensions: { vendorflag: 'on' },
    });
  });

  it('keeps non-JSON data as bytes', () => {
    const parsed = parseCloudEventMessage({
      key: 'k',
      value: Buffer.from([1, 2, 3]),
      headers: {
        ce_specversion: '1.0',
        ce_id: 'x',
        ce_source: 's',
        ce_type: 't',
        'content-type': 'application/octet-stream',
      },
    });
    expect(parsed.data).toEqual(Buffer.from([1, 2, 3]));
  });

  it('ignores an invalid traceparent rather than refusing the event (W3C Trace Context)', () => {
    const message = withHeaders(
      toCloudEventMessage(storedEvent(), 'planning'),
      (h) => (h['traceparent'] = 'not-a-trace'),
    );
    expect(parseCloudEventMessage(message).trace).toBeUndefined();
  });
});

describe('CloudEvents type naming', () => {
  it('parses back service, event type and schema version, even when the event type contains dots', () => {
    expect(parseCloudEventType(cloudEventType('compliance', 'Policy.Evaluated', 12))).toEqual({
      service: 'compliance',
      eventType: 'Policy.Evaluated',
      schemaVersion: 12,
    });
  });

  it('returns undefined for a type outside the convention', () => {
    expect(parseCloudEventType('com.example.Thing')).toBeUndefined();
    expect(parseCloudEventType('dev.trainyard.planning.Thing.v0')).toBeUndefined();
  });
});
