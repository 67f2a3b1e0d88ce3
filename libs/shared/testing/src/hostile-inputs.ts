import fc from 'fast-check';
import { Enum, Type, type Field } from 'protobufjs';

// Generators of hostile input for the e2e specs that send generated requests over gRPC and REST
// (`*hostile-input*.e2e.spec.ts`): none of them may make a service answer a server fault.

/**
 * Strings PostgreSQL refuses or that are far too long, beside ordinary and random ones. `known`
 * adds strings the service recognises; `malformed`, near misses of the formats it parses (an
 * instant that does not exist, say), drawn as often as the other hostile strings.
 */
export const hostileText = (
  known: readonly string[],
  malformed: readonly string[] = [],
): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '\u0000',
      'a\u0000b',
      '\uD800',
      'x\uDC00y',
      '\uDBFF\uDBFF',
      'x'.repeat(100_000),
      'é'.repeat(1_000),
      '',
      ' ',
      ...malformed,
    ),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ maxLength: 20 }),
    fc.constantFrom(...known),
  );

/** `malformed` strings for a service that parses RFC 3339 instants: no such day or offset, edges. */
export const MALFORMED_INSTANTS: readonly string[] = [
  '2031-02-30T10:00:00Z',
  '2031-05-04T10:00:00+25:00',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
];

/** A value of the wrong JSON type for any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({}),
  fc.constant([]),
  fc.integer(),
  fc.string({ maxLength: 5 }),
  fc.boolean(),
  fc.constant(null),
);

function hostileValue(
  field: Field,
  known: readonly string[],
  malformed: readonly string[],
  depth: number,
): fc.Arbitrary<unknown> {
  const resolved = field.resolvedType;
  if (resolved instanceof Enum)
    return fc.oneof(
      fc.constantFrom(...Object.keys(resolved.values)),
      fc.integer({ min: -3, max: 1_000 }),
    );
  if (resolved instanceof Type)
    return depth >= 2 ? fc.constant({}) : hostileMessage(resolved, known, malformed, depth + 1);
  switch (field.type) {
    case 'string':
      return hostileText(known, malformed);
    case 'bytes':
      return fc.uint8Array({ maxLength: 16 });
    case 'bool':
      return fc.boolean();
    case 'double':
    case 'float':
      return fc.double();
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n).map(String);
    case 'uint64':
    case 'fixed64':
      return fc.bigInt(0n, 2n ** 64n - 1n).map(String);
    case 'uint32':
    case 'fixed32':
      return fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 32 - 1));
    default:
      return fc.oneof(fc.integer(), fc.constantFrom(-1, 0, 2 ** 31 - 1, -(2 ** 31)));
  }
}

/**
 * A request of a protobuf message type (resolved), each field absent, hostile for its type, or of
 * the wrong type; nested messages two levels deep. `known` adds strings the service recognises;
 * `malformed` (optional), malformed values of the formats it parses, for its string fields.
 */
export function hostileMessage(
  type: Type,
  known: readonly string[],
  malformed: readonly string[] = [],
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    type.fieldsArray.map((field) => {
      const one = hostileValue(field, known, malformed, depth);
      const value = field.map
        ? fc.dictionary(hostileText(known, malformed), one, { maxKeys: 2 })
        : field.repeated
          ? fc.array(one, { maxLength: 3 })
          : one;
      return [
        field.name,
        fc.oneof({ weight: 6, arbitrary: value }, { weight: 1, arbitrary: wrongType }),
      ];
    }),
  );
  return fc.record(fields, { requiredKeys: [] });
}

/** A URL component as a hostile client might send it, percent-encoding included. */
export const hostileUrlComponent = (known: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '%00',
      '%00x',
      'a%00',
      '%FF',
      '%ED%A0%80',
      '%C0%80',
      '%',
      '%zz',
      'x'.repeat(20_000),
      '-1',
      '99999999999999999999',
      'NaN',
      '1e309',
      '[]',
      '__proto__',
    ),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
    fc.constantFrom(...known).map(encodeURIComponent),
  );
