import fc from 'fast-check';
import { canonicalize } from 'json-canonicalize';
import { canonicalEventBytes, canonicalEventJson } from './canonical-event';
import type { SealedFields } from './canonical-event';

const event: SealedFields = {
  position: 9_007_199_254_740_993n, // 2^53 + 1: not representable as a JavaScript number
  streamId: 'release-1',
  streamVersion: 2,
  type: 'ReleaseScopeCommitted',
  schemaVersion: 1,
  data: { workloadIds: ['w-2', 'w-1'], b: 1, a: { z: null, y: 1.5 } },
  metadata: { eventId: 'e-1', correlationId: 'c-1', actor: 'user:ada' },
  recordedAt: '2026-11-23T18:00:00.123456Z',
};

describe('canonicalEventBytes', () => {
  // Regression guard: stored Merkle leaves must stay verifiable, so the encoding may never change silently.
  it('is RFC 8785 JSON with sorted keys, the position as a decimal string and a layout version', () => {
    expect(canonicalEventBytes(event).toString('utf8')).toBe(
      '{"data":{"a":{"y":1.5,"z":null},"b":1,"workloadIds":["w-2","w-1"]},' +
        '"metadata":{"actor":"user:ada","correlationId":"c-1","eventId":"e-1"},' +
        '"position":"9007199254740993","recordedAt":"2026-11-23T18:00:00.123456Z","schemaVersion":1,' +
        '"streamId":"release-1","streamVersion":2,"type":"ReleaseScopeCommitted","v":1}',
    );
  });

  it('does not depend on the key order of data or metadata', () => {
    const reordered: SealedFields = {
      ...event,
      data: { a: { y: 1.5, z: null }, workloadIds: ['w-2', 'w-1'], b: 1 },
      metadata: { actor: 'user:ada', eventId: 'e-1', correlationId: 'c-1' },
    };
    expect(canonicalEventBytes(reordered)).toEqual(canonicalEventBytes(event));
  });

  it.each<[string, Partial<SealedFields>]>([
    ['position', { position: event.position + 1n }],
    ['streamId', { streamId: 'release-2' }],
    ['streamVersion', { streamVersion: 3 }],
    ['type', { type: 'ReleaseScopeReopened' }],
    ['schemaVersion', { schemaVersion: 2 }],
    ['data', { data: { ...(event.data as object), b: 2 } }],
    ['array order in data', { data: { ...(event.data as object), workloadIds: ['w-1', 'w-2'] } }],
    ['metadata', { metadata: { ...(event.metadata as object), actor: 'user:mallory' } }],
    ['recordedAt by a microsecond', { recordedAt: '2026-11-23T18:00:00.123457Z' }],
  ])('changes when %s changes', (_field, change) => {
    expect(canonicalEventBytes({ ...event, ...change })).not.toEqual(canonicalEventBytes(event));
  });

  // The envelope is written member by member; the leaves were first hashed from json-canonicalize
  // of the whole envelope, so the two must agree on every field value, odd ones included.
  it('equals json-canonicalize of the whole envelope for any field values', () => {
    const reference = (e: SealedFields): string =>
      canonicalize({
        v: 1,
        position: e.position.toString(),
        streamId: e.streamId,
        streamVersion: e.streamVersion,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data,
        metadata: e.metadata,
        recordedAt: e.recordedAt,
      });
    const odd = fc.constantFrom<unknown>(undefined, Number.NaN, -0, 1e21, 'x', null);
    fc.assert(
      fc.property(
        fc.record({
          position: fc.bigInt(),
          streamId: fc.string({ unit: 'binary' }),
          streamVersion: fc.oneof(fc.integer(), odd),
          type: fc.string({ unit: 'grapheme' }),
          schemaVersion: fc.oneof(fc.integer(), odd),
          data: fc.oneof(fc.jsonValue(), odd, fc.constant({ '1': 'a', b: [undefined] })),
          metadata: fc.oneof(fc.jsonValue(), odd),
          recordedAt: fc.oneof(fc.string(), odd),
        }),
        (fields) => {
          const e = fields as unknown as SealedFields;
          const result = (f: () => string): { ok: string } | { error: string } => {
            try {
              return { ok: f() };
            } catch (error) {
              return { error: (error as Error).message };
            }
          };
          expect(result(() => canonicalEventJson(e))).toEqual(result(() => reference(e)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
