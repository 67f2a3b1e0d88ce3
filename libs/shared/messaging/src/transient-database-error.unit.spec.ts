import { isTransientDatabaseError } from './transient-database-error';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('isTransientDatabaseError', () => {
  it.each(['08006', '08001', '40001', '40P01', '57P01', '53300', 'ECONNREFUSED', 'ECONNRESET'])(
    'retries %s without counting an attempt',
    (code) => expect(isTransientDatabaseError(pgError(code))).toBe(true),
  );

  it('recognises a socket node-postgres reports without a code', () => {
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it.each(['23505', '22012', '42P01', '23503'])(
    'counts %s as the handler’s own failure',
    (code) => {
      expect(isTransientDatabaseError(pgError(code))).toBe(false);
    },
  );

  it('counts plain errors and non-errors as the handler’s own failure', () => {
    expect(isTransientDatabaseError(new Error('release calendar rejected the date'))).toBe(false);
    expect(isTransientDatabaseError('boom')).toBe(false);
  });
});
