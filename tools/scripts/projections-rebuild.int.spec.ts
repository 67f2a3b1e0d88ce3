import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  compareCheckpoints,
  createEventStore,
  parseCheckpoint,
  type Checkpoint,
  type PostgresEventStore,
  type StoredEvent,
} from '@trainyard/event-store';
import { planning } from '@trainyard/grpc-contracts';
import { projectEvents } from '@trainyard/kernel';
import {
  PLANNING_PROJECTION,
  planningProjection,
  toProjectedEvent,
} from '@trainyard/planning-read-models';
import { appendScenario, planningLifecycle } from '@trainyard/planning-read-models/testing';
import { RELEASE_TO_WORKLOAD_EVENT_TYPES } from '@trainyard/planning-domain';
import {
  callUnary,
  createTestContext,
  startTestService,
  waitFor,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { planningService } from '../../apps/planning/src/planning.service';
import { rebuildProjections } from './projections-rebuild';

const ROOT = join(__dirname, '..', '..');

/** `npm run projections:rebuild -- …` as an operator runs it: its own process, against the running service's schema. */
function runRebuild(
  ctx: TestContext,
  args: readonly string[],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'tools', 'scripts', 'projections-rebuild.ts'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: ctx.databaseUrl, DATABASE_SCHEMA: ctx.schema },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const TABLES = {
  workloads: 'workload_id',
  releases: 'release_id',
  release_scope_items: 'release_id, workload_id',
  api_versions: 'api, version',
} as const;

describe('npm run projections:rebuild against a running planning service', () => {
  let ctx: TestContext;
  let store: PostgresEventStore;
  let service: TestService;

  beforeAll(async () => {
    ctx = await createTestContext('projections_rebuild');
    service = await startTestService(planningService, ctx);
    store = createEventStore(ctx.pool, ctx.schema);
  });

  afterAll(async () => {
    await service?.stop();
    await store?.close();
    await ctx?.dispose();
  });

  /** Every row of the read-model tables, all columns, in key order. */
  const tables = async () => {
    const result: Record<string, unknown[]> = {};
    for (const [table, key] of Object.entries(TABLES))
      result[table] = (await ctx.pool.query(`SELECT * FROM ${table} ORDER BY ${key}`)).rows;
    return result;
  };

  const projectedUpTo = (target: Checkpoint) =>
    waitFor(
      async () => {
        const { rows } = await ctx.pool.query<{ checkpoint: string }>(
          'SELECT checkpoint FROM projection_checkpoints WHERE projection = $1',
          [PLANNING_PROJECTION],
        );
        return (
          rows[0] !== undefined &&
          compareCheckpoints(parseCheckpoint(rows[0].checkpoint), target) >= 0
        );
      },
      { description: 'the service projected everything appended' },
    );

  const storedEvents = async (): Promise<StoredEvent[]> => {
    const events: StoredEvent[] = [];
    for (let after: Checkpoint | undefined; ;) {
      const read = await store.readAll({
        ...(after ? { after } : {}),
        types: planningProjection.eventTypes,
      });
      events.push(...read.events);
      if (read.isEnd) return events;
      after = read.checkpoint;
    }
  };

  /**
   * The service has nothing left to do: its relay and projection are past the last stored event,
   * its reactor past the last release event. Checkpoints are read before the events: the reactor
   * moves its checkpoint only after the reactions it appended, so those are then among the events.
   */
  const settled = () =>
    waitFor(
      async () => {
        const { rows } = await ctx.pool.query<{ name: string; checkpoint: string }>(
          `SELECT name, checkpoint FROM relay_checkpoints
           UNION ALL SELECT projection, checkpoint FROM projection_checkpoints WHERE projection = $1`,
          [PLANNING_PROJECTION],
        );
        const events = await storedEvents();
        const reactedTo: readonly string[] = RELEASE_TO_WORKLOAD_EVENT_TYPES;
        const lastOf = (wanted: readonly StoredEvent[]) => wanted.at(-1);
        const last = lastOf(events);
        const lastRelease = lastOf(events.filter((event) => reactedTo.includes(event.type)));
        const past = (checkpoint: string, event: StoredEvent | undefined) =>
          event === undefined ||
          compareCheckpoints(parseCheckpoint(checkpoint), {
            transactionId: event.transactionId,
            position: event.position,
          }) >= 0;
        return (
          rows.length >= 3 &&
          rows.every(({ name, checkpoint }) =>
            past(checkpoint, name.startsWith('reactor:') ? lastRelease : last),
          )
        );
      },
      { timeoutMs: 60_000, description: 'the reactor, relay and projection past the last event' },
    );

  it('rebuilds the same rows as the live projection, printing progress, while the service keeps taking commands and answering reads', async () => {
    await projectedUpTo(await appendScenario(store, planningLifecycle().events));
    // The service's reactor answers the scenario's release events with workload events of its own
    // (a CI run snapshotted the rows before those reactions were projected).
    await settled();
    const live = await tables();
    expect(live['workloads']?.length).toBeGreaterThan(0);

    // The rebuild runs in its own process; the service meanwhile registers workloads and reads them back.
    const token = await service.token('release-manager');
    let exited = false;
    const rebuilding = runRebuild(ctx, [
      '--service',
      'planning',
      '--projection',
      PLANNING_PROJECTION,
    ]).finally(() => (exited = true));
    const registered: string[] = [];
    // Until the rebuild process has exited (and at least a few times): each write is read back at
    // once. At most 150, so every one stays on the first page of 200 however slow the machine.
    for (let i = 0; i < 3 || (!exited && i < 150); i++) {
      const workloadId = `W-DURING-${i}`;
      await callUnary(
        service.client('trainyard.planning.v1.PlanningService'),
        'RegisterWorkload',
        {
          workloadId,
          title: 'Registered while the read models are rebuilt',
          team: 'payments',
          components: [
            { name: 'checkout-service', kind: planning.ComponentKind.COMPONENT_KIND_SERVICE },
          ],
          regulatedData: [],
          jobSize: 3,
          businessValue: 5,
          timeCriticality: 3,
          riskReduction: 2,
          changeType: planning.ChangeType.CHANGE_TYPE_NET_NEW_FEATURE,
          dependsOn: [],
          schemaChange: false,
          libraries: [],
          consumedApis: [],
          reason: 'rebuild test',
        },
        token,
      );
      const response = await fetch(
        `${service.httpUrl}/api/planning/workloads?team=payments&pageSize=200`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect(response.status).toBe(200);
      expect(JSON.stringify(await response.json())).toContain(workloadId);
      registered.push(workloadId);
    }
    const { code, out, err } = await rebuilding;
    expect({
      code,
      err: err.split('\n').filter((l) => l.includes('[projections:rebuild]')),
    }).toEqual({ code: 0, err: [] });
    expect(out).toMatch(
      new RegExp(`${PLANNING_PROJECTION.replace(/\./g, '\\.')}: replaying about \\d+ events`),
    );
    expect(out).toMatch(/: swapped in: \d+ events, checkpoint \d+:\d+/);

    // Caught up again, the swapped-in tables hold exactly what the folds give for every stored event:
    // the live rows from before (unchanged) and the workloads registered during the rebuild.
    const events = await storedEvents();
    const last = events.at(-1);
    if (!last) throw new Error('no events');
    await projectedUpTo({ transactionId: last.transactionId, position: last.position });
    const rebuilt = await tables();
    for (const table of Object.keys(TABLES)) {
      const before = live[table] ?? [];
      expect((rebuilt[table] ?? []).slice(0, before.length)).toEqual(before);
    }
    const expected = projectEvents(planningProjection, events.map(toProjectedEvent));
    expect(rebuilt['workloads']?.length).toBe(expected['workloads']?.length);
    expect(rebuilt['release_scope_items']?.length).toBe(expected['release_scope_items']?.length);
    expect((rebuilt['workloads'] as { workload_id: string }[]).map((r) => r.workload_id)).toEqual(
      expect.arrayContaining(registered),
    );
  }, 240_000); // the script's own process starts by loading every service's code: slow on a loaded machine

  it('names the projections a service has when asked for one it does not, and the services when the service is unknown', async () => {
    const command = { databaseUrl: ctx.databaseUrl, schema: ctx.schema, print: () => undefined };
    await expect(
      rebuildProjections({ ...command, service: 'planning', projection: 'nope' }),
    ).rejects.toThrow(`planning has no projection "nope"; it has ${PLANNING_PROJECTION}`);
    await expect(rebuildProjections({ ...command, service: 'nope' })).rejects.toThrow(
      'unknown service "nope"; one of planning, scheduling, deployment, compliance, metrics',
    );
  });
});
