import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import {
  DEFAULT_TEST_SERVER,
  dropDatabase,
  dropDeadRunDatabases,
  runDatabaseUrl,
} from './run-database';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const databases = async (): Promise<string[]> => {
  const admin = new Client({ connectionString: `${DEFAULT_TEST_SERVER}/postgres` });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database');
    return rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
};

const create = async (url: string) => {
  const name = new URL(url).pathname.slice(1);
  const admin = new Client({ connectionString: `${DEFAULT_TEST_SERVER}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`).finally(() => admin.end());
  return name;
};

describe('test run databases on the local server', () => {
  it('drops the database of a run whose jest is gone, with its open connections, and keeps a live run’s', async () => {
    const deadPid = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    expect(alive(Number(deadPid))).toBe(false);
    const dead = await create(runDatabaseUrl(Number(deadPid)));
    // A live process's run database: this process stands in for a live jest.
    const liveUrl = runDatabaseUrl(process.pid);
    const ownName = new URL(liveUrl).pathname.slice(1);
    const ownExisted = (await databases()).includes(ownName);
    if (!ownExisted) await create(liveUrl);
    const straggler = new Client({ connectionString: runDatabaseUrl(Number(deadPid)) });
    await straggler.connect();
    straggler.on('error', () => undefined); // terminated by the drop
    try {
      const dropped = await dropDeadRunDatabases(DEFAULT_TEST_SERVER, alive);
      expect(dropped).toContain(dead);
      expect(dropped).not.toContain(ownName);
      const after = await databases();
      expect(after).not.toContain(dead);
      expect(after).toContain(ownName);
    } finally {
      await straggler.end().catch(() => undefined);
      if (!ownExisted) await dropDatabase(liveUrl);
    }
  });

  it('drops a database by URL, and an absent one without error', async () => {
    const url = runDatabaseUrl(process.pid).replace(/_p(\d+)$/, '_p$1999');
    // Not a run database of a live jest (pid ×1000 + 999 is no process here); dropped by URL.
    await create(url);
    await dropDatabase(url);
    expect(await databases()).not.toContain(new URL(url).pathname.slice(1));
    await expect(dropDatabase(url)).resolves.toBeUndefined();
  });

  it('leaves a server that does not answer alone', async () => {
    await expect(dropDeadRunDatabases('postgres://postgres@127.0.0.1:1', alive)).resolves.toEqual(
      [],
    );
  });
});
