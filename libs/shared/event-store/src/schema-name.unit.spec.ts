import {
  assertSchemaName,
  channelName,
  notifyStatement,
  quoteIdent,
  statementName,
} from './schema-name';

describe('assertSchemaName', () => {
  it.each(['planning', 'compliance_v2', '_private', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(assertSchemaName(name)).toBe(name);
  });

  // Schema names are interpolated into SQL: anything but a plain identifier is refused.
  it.each(['', 'Planning', '1abc', 'has-dash', 'a"; DROP SCHEMA x; --', 'a b', 'a'.repeat(64)])(
    'refuses %j',
    (name) => {
      expect(() => assertSchemaName(name)).toThrow('invalid event store schema name');
    },
  );
});

describe('identifiers', () => {
  it('quotes identifiers, doubling quotes', () => {
    expect(quoteIdent('events')).toBe('"events"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });

  it('names the NOTIFY channel after the schema', () => {
    expect(channelName('planning')).toBe('planning.events');
  });

  it('announces on the channel as an identifier, which the server truncates as LISTEN does', () => {
    expect(notifyStatement('planning')).toBe('NOTIFY "planning.events"');
  });

  it('keeps prepared statement names short and distinct per schema', () => {
    const long = statementName('a'.repeat(63), 'append1_new');
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(statementName('planning', 'all')).not.toBe(statementName('scheduling', 'all'));
  });
});
