import fc from 'fast-check';
import { canonicalEventJson } from './canonical-event';
import { canonicalRowJson } from './canonical-row';
import { toSealableEvent } from './sealed-fields.query';
import type { SealedRow } from './sealed-fields.query';

// The sealer writes leaves with canonicalRowJson, the verifier and the audit tools recompute them
// with canonicalEventJson(toSealableEvent(row)): both must give the same bytes for every row.
const outcome = (f: () => string): { ok: string } | { error: string } => {
  try {
    return { ok: f() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

const integerText = fc.oneof(
  fc.bigInt().map(String),
  fc.integer().map(String),
  fc.constantFrom('0', '-0', '007', '1.0', '1e3', ' 1', '', '9007199254740993', '-2147483648'),
);
const jsonText = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value, null, 1)),
  fc.constantFrom('{"b": 1, "a": [1.50, "x"]}', '{"toJSON": 1}', 'null', '{"a": 1', '"\\u00e9"'),
);
const row: fc.Arbitrary<SealedRow> = fc.record({
  position: integerText,
  transaction_id: fc.bigInt({ min: 0n }).map(String),
  stream_id: fc.string({ unit: 'binary' }),
  stream_version: integerText,
  event_type: fc.string({ unit: 'grapheme' }),
  schema_version: integerText,
  data: jsonText,
  metadata: jsonText,
  recorded_at: fc.oneof(fc.constant('2026-11-23T18:00:00.123456Z'), fc.string({ unit: 'binary' })),
});

describe('canonicalRowJson', () => {
  it('equals canonicalEventJson of the row read as the verifier reads it', () => {
    fc.assert(
      fc.property(row, (r) => {
        expect(outcome(() => canonicalRowJson(r))).toEqual(
          outcome(() => canonicalEventJson(toSealableEvent(r))),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the envelope in its fixed layout', () => {
    expect(
      canonicalRowJson({
        position: '9007199254740993',
        transaction_id: '42',
        stream_id: 'release-1',
        stream_version: '2',
        event_type: 'ReleaseScopeCommitted',
        schema_version: '1',
        data: '{"b": 1, "workloadIds": ["w-2", "w-1"], "a": {"z": null, "y": 1.5}}',
        metadata: '{"actor": "user:ada", "eventId": "e-1"}',
        recorded_at: '2026-11-23T18:00:00.123456Z',
      }),
    ).toBe(
      '{"data":{"a":{"y":1.5,"z":null},"b":1,"workloadIds":["w-2","w-1"]},' +
        '"metadata":{"actor":"user:ada","eventId":"e-1"},' +
        '"position":"9007199254740993","recordedAt":"2026-11-23T18:00:00.123456Z","schemaVersion":1,' +
        '"streamId":"release-1","streamVersion":2,"type":"ReleaseScopeCommitted","v":1}',
    );
  });
});
