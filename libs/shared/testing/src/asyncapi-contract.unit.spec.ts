import { asyncApiContractOf, storedEventOf } from './asyncapi-contract';

// The contract specs' checks must be able to fail: each is shown a document and a message that
// disagree, here on a document small enough to read.
const SOURCE = `
asyncapi: 3.0.0
id: urn:trainyard:demo:events
info: { title: demo, version: 1.0.0 }
channels:
  demoEvents:
    address: trainyard.demo.events.v1
    messages:
      ThingDone: { $ref: '#/components/messages/ThingDone' }
      ThingUndone: { $ref: '#/components/messages/ThingUndone' }
operations:
  publishDemoEvents:
    action: send
    channel: { $ref: '#/channels/demoEvents' }
components:
  messageTraits:
    cloudEventsBinary:
      headers:
        type: object
        required: [ce_id, ce_dataschema]
        properties:
          ce_id: { type: string }
          ce_dataschema: { type: string }
  messages:
    ThingDone:
      traits: [{ $ref: '#/components/messageTraits/cloudEventsBinary' }]
      payload: { $ref: '#/components/schemas/ThingDone.v1' }
    ThingUndone:
      traits: [{ $ref: '#/components/messageTraits/cloudEventsBinary' }]
      payload: { $ref: '#/components/schemas/ThingDone.v1' }
  schemas:
    Thing:
      type: object
      required: [id]
      additionalProperties: false
      properties: { id: { type: string } }
    ThingDone.v1:
      type: object
      required: [thing]
      additionalProperties: false
      properties: { thing: { $ref: '#/components/schemas/Thing' } }
`;
const contract = asyncApiContractOf(SOURCE);
const DATASCHEMA = 'urn:trainyard:demo:events#/components/schemas/ThingDone.v1';
const message = (headers: Record<string, string>, data: unknown) => ({
  key: 'k',
  value: Buffer.from(JSON.stringify(data)),
  headers,
});

describe('asyncApiContract', () => {
  it('given a payload and headers as documented: no problem', () => {
    expect(
      contract.messageProblems(
        'ThingDone',
        message({ ce_id: '1', ce_dataschema: DATASCHEMA }, { thing: { id: 'T-1' } }),
      ),
    ).toEqual([]);
  });

  it('given a payload off its schema (nested, through a $ref), a missing header, or a dataschema elsewhere: each named', () => {
    expect(
      contract.messageProblems('A', message({ ce_dataschema: DATASCHEMA }, { thing: { id: 1 } })),
    ).toEqual([expect.stringMatching(/^A headers: /), expect.stringMatching(/^A data: /)]);
    expect(contract.payloadProblems('B', DATASCHEMA, { thing: { id: 'T' }, extra: 1 })).toEqual([
      expect.stringMatching(/^B data: /),
    ]);
    expect(contract.payloadProblems('C', 'urn:other#/components/schemas/ThingDone.v1', {})).toEqual(
      [
        'C data: urn:other#/components/schemas/ThingDone.v1 does not point into urn:trainyard:demo:events',
      ],
    );
    expect(contract.payloadProblems('D', undefined, {})).toEqual([
      expect.stringMatching(/^D data: .* does not point into/),
    ]);
  });

  it('given a catalogue: names what is not documented, and with whole what is documented only', () => {
    expect(contract.undocumented([{ type: 'ThingDone', version: 1 }])).toEqual([]);
    expect(
      contract.undocumented([
        { type: 'ThingDone', version: 2 },
        { type: 'ThingUndone', version: 1 },
        { type: 'ThingLost', version: 1 },
      ]),
    ).toEqual([
      'ThingDone: no schema ThingDone.v2',
      'ThingDone: payload is not #/components/schemas/ThingDone.v2',
      'ThingUndone: no schema ThingUndone.v1',
      'ThingUndone: payload is not #/components/schemas/ThingUndone.v1',
      'ThingLost: no message on the channel',
      'ThingLost: no component message',
      'ThingLost: no schema ThingLost.v1',
      'ThingLost: payload is not #/components/schemas/ThingLost.v1',
    ]);
    expect(contract.undocumented([{ type: 'ThingDone', version: 1 }], { whole: true })).toEqual([
      'ThingUndone: documented, not published',
    ]);
  });

  it('publishes each event through the mapping and the relay: internal ones listed, each message checked', () => {
    const { problems, publications, internal } = contract.publishAll(
      [
        { type: 'ThingDone', data: { thing: { id: 'T-1' } } },
        { type: 'ThingPlanned', data: {} },
        { type: 'ThingDone', data: { thing: {} } },
      ],
      {
        service: 'demo',
        publish: (event) =>
          event.type === 'ThingDone'
            ? { type: 'ThingDone', version: 1, data: event.data, dataschema: DATASCHEMA }
            : undefined,
      },
    );
    expect(internal).toEqual(['ThingPlanned']);
    expect(publications.map((p) => p.message.headers['ce_id'])).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000003',
    ]);
    expect(problems).toEqual([expect.stringMatching(/^ThingDone data: /)]);
  });

  it('parses the document with @asyncapi/parser and reports what it resolved', async () => {
    expect(await contract.parsed()).toMatchObject({
      id: 'urn:trainyard:demo:events',
      channels: ['trainyard.demo.events.v1'],
      messages: ['ThingDone', 'ThingUndone'],
      withoutDataschemaHeader: [],
    });
    const broken = asyncApiContractOf(SOURCE.replace('asyncapi: 3.0.0', 'asyncapi: 9.9.9'));
    expect((await broken.parsed()).problems).not.toEqual([]);
  });

  it('stores the nth event of a scenario with ids derived from n, overrides as given', () => {
    const event = storedEventOf({ type: 'ThingDone', data: { thing: { id: 'T' } } }, 3, {
      streamId: 'things',
      metadata: { actor: 'bob', reason: 'why' },
    });
    expect(event).toMatchObject({
      position: 3n,
      streamId: 'things',
      streamVersion: 3,
      metadata: {
        eventId: '00000000-0000-4000-8000-000000000003',
        correlationId: 'corr-3',
        actor: 'bob',
        reason: 'why',
      },
    });
    expect(event.metadata).not.toHaveProperty('trace');
    const full = storedEventOf({ type: 'ThingDone', data: {} }, 2, { optionalHeaders: true });
    expect(full.metadata).toMatchObject({ causationId: 'cause-2', reason: 'stated reason' });
    expect(full.metadata.trace?.traceparent).toMatch(/^00-/);
    const first = storedEventOf({ type: 'ThingDone', data: {} }, 1, { optionalHeaders: true });
    expect(first.metadata).not.toHaveProperty('causationId');
    expect(first.metadata).not.toHaveProperty('reason');
  });
});
