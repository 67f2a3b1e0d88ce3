import { deadRunDatabases, runDatabaseOwner, runDatabaseUrl } from './run-database';

describe('the test run database name', () => {
  it('names the jest process it belongs to', () => {
    expect(runDatabaseUrl(4242)).toBe('postgres://postgres@127.0.0.1:5432/trainyard_test_p4242');
    expect(runDatabaseOwner('trainyard_test_p4242')).toBe(4242);
  });

  it('claims no other database', () => {
    for (const name of [
      'trainyard_test',
      'trainyard',
      'trainyard_test_p',
      'trainyard_test_p12x',
      'x_trainyard_test_p1',
    ])
      expect(runDatabaseOwner(name)).toBeUndefined();
  });

  it('picks only the run databases whose jest is gone', () => {
    const alive = (pid: number) => pid === 7;
    expect(
      deadRunDatabases(
        ['trainyard_test_p7', 'trainyard_test_p8', 'trainyard_test', 'postgres'],
        alive,
      ),
    ).toEqual(['trainyard_test_p8']);
  });
});
