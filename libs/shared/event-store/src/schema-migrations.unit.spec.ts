import { pendingMigrations } from './schema-migrations';

const available = ['0001_probe-create', '0002_probe-index', '0003_probe-column'];

describe('pendingMigrations', () => {
  it('is every migration on a fresh schema, in order', () => {
    expect(pendingMigrations(available, new Set())).toEqual(available);
  });

  it('is the migrations after the last applied one', () => {
    expect(pendingMigrations(available, new Set(['0001_probe-create']))).toEqual([
      '0002_probe-index',
      '0003_probe-column',
    ]);
  });

  it('is nothing when all are applied, whatever other owners applied', () => {
    expect(pendingMigrations(available, new Set([...available, '0001_other-baseline']))).toEqual(
      [],
    );
  });

  it('refuses a migration numbered before one already applied', () => {
    expect(() =>
      pendingMigrations(available, new Set(['0001_probe-create', '0003_probe-column'])),
    ).toThrow(
      'migration 0002_probe-index precedes the already applied 0003_probe-column: give it the next free number',
    );
  });
});
