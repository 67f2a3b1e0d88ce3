import fc from 'fast-check';
import { ValidationError, unstorableTextReason } from '@trainyard/kernel';
import { hostileText } from '@trainyard/testing';
import { MAX_NAME_BYTES, assertStorableName, toEventPayload } from './event-payload';
import { newEvent } from './new-event.fixture';

// Texts that look like the escapes jsonb refuses but are a backslash and letters: storable.
const ESCAPE_LOOKALIKES = ['\\u0000', '\\\\u0000', 'a\\ud800', '\\\\\\u0000', '\\uD800'];

const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

/** A thrown error as the properties compare it; undefined when nothing was thrown. */
const refusal = (error: unknown) =>
  error === undefined
    ? undefined
    : {
        validation: error instanceof ValidationError,
        field: (error as ValidationError).field,
        saysWhy: /jsonb cannot store it\.$/.test((error as Error).message),
      };

/** What jsonb cannot hold: NUL or a lone surrogate (the byte limit does not apply to data). */
const jsonbRefuses = (text: string): boolean =>
  unstorableTextReason(text, Number.POSITIVE_INFINITY) !== undefined;

describe('toEventPayload', () => {
  it('writes the data and metadata as JSON, the schema version defaulting to 1', () => {
    const event = newEvent('Opened', { note: 'a\\u0000 is six characters', n: [1, 2] });
    expect(toEventPayload(event, 'events[0]')).toEqual({
      type: 'Opened',
      schemaVersion: 1,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata),
    });
  });

  it('refuses exactly the strings jsonb cannot store, in values and keys, naming the field (property)', () => {
    fc.assert(
      fc.property(hostileText(['ok'], ESCAPE_LOOKALIKES), (text) => {
        const event = newEvent('Noted', { list: [{ note: text }], [text]: true });
        const error = thrown(() => toEventPayload(event, 'events[3]'));
        expect(refusal(error)).toEqual(
          jsonbRefuses(text)
            ? { validation: true, field: 'events[3].data.list[0].note', saysWhy: true }
            : undefined,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('refuses unstorable metadata, and names each missing part', () => {
    const event = newEvent('Opened', {});
    const badActor = { ...event, metadata: { ...event.metadata, actor: 'user:\u0000' } };
    expect(thrown(() => toEventPayload(badActor, 'events[0]'))).toMatchObject({
      field: 'events[0].metadata.actor',
    });
    const cases: [unknown, string][] = [
      [{ ...event, type: '' }, 'events[0].type'],
      [{ ...event, type: 'Bad\u0000' }, 'events[0].type'],
      [{ ...event, data: undefined }, 'events[0].data'],
      [{ ...event, data: () => 1 }, 'events[0].data'],
      [{ ...event, metadata: { ...event.metadata, actor: '' } }, 'events[0].metadata'],
      [{ ...event, schemaVersion: 0 }, 'events[0].schemaVersion'],
      [{ ...event, schemaVersion: 2 ** 31 }, 'events[0].schemaVersion'],
    ];
    for (const [bad, field] of cases) {
      const error = thrown(() => toEventPayload(bad as typeof event, 'events[0]'));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field });
    }
  });
});

describe('assertStorableName', () => {
  it('refuses empty, NUL, lone surrogates and names over the index limit', () => {
    for (const name of ['', 'a\u0000', '\uD800', 'x'.repeat(MAX_NAME_BYTES + 1)])
      expect(thrown(() => assertStorableName(name, 'streamId'))).toMatchObject({
        field: 'streamId',
      });
    for (const name of ['workload-1', '😀', '\\u0000', 'x'.repeat(MAX_NAME_BYTES)])
      expect(thrown(() => assertStorableName(name, 'streamId'))).toBeUndefined();
  });
});
