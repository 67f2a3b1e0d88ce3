import fc from 'fast-check';
import { parse } from 'protobufjs';
import {
  MALFORMED_INSTANTS,
  hostileMessage,
  hostileText,
  hostileUrlComponent,
  wrongType,
} from './hostile-inputs';

// The hostile-input e2e specs are only as strong as these generators: each is sampled (fixed seed)
// and shown to produce the hostile values it is there for, not only ordinary ones.
const sample = <T>(arbitrary: fc.Arbitrary<T>, numRuns = 2_000): T[] =>
  fc.sample(arbitrary, { numRuns, seed: 20261206 });

const LONG = 10_000; // longer than any text field a service accepts
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const { root } = parse(`
  syntax = "proto3";
  package demo;
  enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; }
  message Node {
    string name = 1;
    int32 size = 2;
    int64 total = 3;
    Kind kind = 4;
    repeated string tags = 5;
    map<string, string> labels = 6;
    Node child = 7;
  }
`);
root.resolveAll();
const NODE = root.lookupType('demo.Node');

describe('hostile input generators', () => {
  it('hostileText yields NUL, lone surrogates, oversized, empty and the known strings', () => {
    const values = sample(hostileText(['WL-known']));
    expect(values.some((v) => v.includes('\u0000'))).toBe(true);
    expect(values.some((v) => LONE_SURROGATE.test(v))).toBe(true);
    expect(values.some((v) => v.length > LONG)).toBe(true);
    expect(values).toContain('');
    expect(values).toContain('WL-known');
  });

  it('hostileText and hostileMessage yield each malformed string they are given', () => {
    const texts = sample(hostileText(['WL-known'], MALFORMED_INSTANTS));
    const names = sample(hostileMessage(NODE, ['WL-known'], MALFORMED_INSTANTS)).map((r) => r.name);
    for (const malformed of MALFORMED_INSTANTS) {
      expect(texts).toContain(malformed);
      expect(names).toContain(malformed);
    }
  });

  it('wrongType yields a value of every JSON type', () => {
    const kinds = new Set(
      sample(wrongType, 500).map((v) =>
        v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v,
      ),
    );
    expect([...kinds].sort()).toEqual(['array', 'boolean', 'null', 'number', 'object', 'string']);
  });

  it('hostileMessage yields requests of only the type’s fields, hostile or of the wrong type', () => {
    const requests = sample(hostileMessage(NODE, ['WL-known']));
    const fields = NODE.fieldsArray.map((f) => f.name);
    expect(requests.every((r) => Object.keys(r).every((k) => fields.includes(k)))).toBe(true);
    expect(requests.some((r) => Object.keys(r).length < fields.length)).toBe(true);
    expect(requests.some((r) => typeof r.name === 'string' && r.name.length > LONG)).toBe(true);
    expect(requests.some((r) => r.name !== undefined && typeof r.name !== 'string')).toBe(true);
    expect(requests.some((r) => typeof r.kind === 'number' && !(r.kind in { 0: 0, 1: 1 }))).toBe(
      true,
    );
    expect(
      requests.some((r) => typeof r.total === 'string' && !Number.isSafeInteger(Number(r.total))),
    ).toBe(true);
    expect(requests.some((r) => Array.isArray(r.tags) && r.tags.length > 1)).toBe(true);
    const nested = requests.flatMap((r) => {
      const child = r.child as Record<string, unknown> | undefined;
      return child && typeof child === 'object' && !Array.isArray(child) ? [child] : [];
    });
    expect(nested.some((c) => typeof c.name === 'string')).toBe(true);
  });

  it('hostileUrlComponent yields NUL and invalid percent-encodings, __proto__ and oversized parts', () => {
    const values = sample(hostileUrlComponent(['WL-known']));
    for (const hostile of ['%00', '%ED%A0%80', '%zz', '__proto__', 'WL-known'])
      expect(values).toContain(hostile);
    expect(values.some((v) => v.length > LONG)).toBe(true);
  });
});
