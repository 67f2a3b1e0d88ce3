import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  compareCheckpoints,
  createEventStore,
  type Checkpoint,
  type PostgresEventStore,
} from '@trainyard/event-store';
import { projectEvents } from '@trainyard/kernel';
import { ProjectionRunner } from '@trainyard/messaging';
import { migrateService } from '@trainyard/platform';
import {
  jobDefinitionDecider,
  jobDefinitionStream,
  type JobDefinitionCommand,
  type JobDefinitionEvent,
} from '@trainyard/scheduling-domain';
import {
  JOB_DEFINITION_ENTITIES,
  JobDefinitionView,
  JobManifestVersionView,
  jobDefinitionsProjection,
  type ProjectedJobDefinitionEvent,
} from '@trainyard/scheduling-read-models';
import {
  createTestContext,
  entityTableDifferences,
  waitFor,
  type TestContext,
} from '@trainyard/testing';
import { schedulingService } from '../../scheduling.service';

// Migration 0005 is the only DDL of the job-definition tables: the entities map it exactly, and
// the shared runner writes exactly the rows the pure folds give for a whole lifecycle.
const manifest = (name: string, prodBatch: number, criticality = 'critical') => ({
  name,
  owner: name.split('.')[0],
  criticality,
  parameters: { batchSize: 'number' },
  environments: {
    dev: { batchSize: 1 },
    staging: { batchSize: 2 },
    prod: { batchSize: prodBatch },
  },
  tasks: [
    {
      id: 'export',
      executor: { kind: 'command', program: 'ledger-export', args: ['{{batchSize}}'] },
      timeoutSeconds: 60,
    },
  ],
});

/** Propose → approve → direct change → propose → roll back → deprecate, decided by the decider. */
const lifecycle = (name: string): ProjectedJobDefinitionEvent[] => {
  const at = (actor: string) => ({ now: '2031-05-04T09:00:00.000Z', actor });
  let state = jobDefinitionDecider.initialState();
  const out: JobDefinitionEvent[] = [];
  const step = (command: JobDefinitionCommand) => {
    for (const event of jobDefinitionDecider.decide(command, state, undefined)) {
      state = jobDefinitionDecider.evolve(state, event);
      out.push(event);
    }
  };
  step({ type: 'ApplyJobManifest', data: { manifest: manifest(name, 10) }, metadata: at('alice') });
  const first = out[0];
  if (first?.type !== 'JobManifestProposed') throw new Error('expected a proposal');
  step({
    type: 'ApproveJobManifest',
    data: { name, digest: first.data.digest },
    metadata: at('bob'),
  });
  step({
    type: 'ApplyJobManifest',
    data: { manifest: manifest(name, 10, 'high') },
    metadata: at('alice'),
  });
  step({
    type: 'ApplyJobManifest',
    data: { manifest: manifest(name, 20, 'high') },
    metadata: at('alice'),
  });
  step({ type: 'RollBackJobManifest', data: { name, toVersion: 1 }, metadata: at('carol') });
  step({ type: 'DeprecateJob', data: { name, reason: 'replaced' }, metadata: at('carol') });
  return out.map((event, i) => ({ event, streamVersion: i + 1 }));
};

describe('job-definition read model (migration 0005, shared runner) on the real PostgreSQL', () => {
  let ctx: TestContext;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  const names = [`finance.ledger.close-${randomUUID().slice(0, 6)}`, 'ops.cleanup.vacuum'];
  const events = names.flatMap(lifecycle);

  const append = async (slice: readonly ProjectedJobDefinitionEvent[]): Promise<Checkpoint> => {
    let last: Checkpoint = { transactionId: 0n, position: 0n };
    for (const { event, streamVersion } of slice) {
      const result = await store.append(
        jobDefinitionStream(event.data.name),
        [
          {
            type: event.type,
            data: event.data,
            metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'spec' },
          },
        ],
        streamVersion === 1 ? 'no_stream' : streamVersion - 1,
      );
      last = { transactionId: result.transactionId, position: result.lastPosition };
    }
    return last;
  };
  const tables = async () => ({
    job_definitions: await dataSource.manager.find(JobDefinitionView, { order: { name: 'ASC' } }),
    job_manifest_versions: await dataSource.manager.find(JobManifestVersionView, {
      order: { name: 'ASC', jobVersion: 'ASC' },
    }),
  });
  const expected = (slice: readonly ProjectedJobDefinitionEvent[]) => {
    const rows = projectEvents(jobDefinitionsProjection, slice);
    return {
      job_definitions: rows.job_definitions,
      job_manifest_versions: [...(rows.job_manifest_versions ?? [])].sort((a, b) => {
        const x = a as JobManifestVersionView;
        const y = b as JobManifestVersionView;
        return x.name === y.name ? x.jobVersion - y.jobVersion : x.name < y.name ? -1 : 1;
      }),
    };
  };
  const runner = () =>
    new ProjectionRunner({
      pool: ctx.pool,
      store,
      projection: jobDefinitionsProjection,
      pollIntervalMs: 100,
    });

  beforeAll(async () => {
    ctx = await createTestContext('sched_job_definitions_rm');
    await migrateService(schedulingService, ctx.pool, ctx.schema);
    store = createEventStore(ctx.pool, ctx.schema);
    dataSource = await new DataSource({
      type: 'postgres',
      url: ctx.databaseUrl,
      schema: ctx.schema,
      entities: [...JOB_DEFINITION_ENTITIES],
      synchronize: false,
      extra: { max: 2 },
    }).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await store?.close();
    await ctx?.dispose();
  });

  it('creates exactly the tables the entities map', async () => {
    expect(await entityTableDifferences(dataSource, ctx.schema)).toEqual([]);
  });

  it('projects exactly the rows the pure folds give, resuming from its checkpoint without folding twice', async () => {
    const half = Math.floor(events.length / 2);
    const firstHalf = await append(events.slice(0, half));
    const first = runner();
    await first.start();
    await waitFor(() => compareCheckpoints(first.checkpoint, firstHalf) >= 0, {
      description: 'the first half projected',
    });
    expect(await tables()).toEqual(expected(events.slice(0, half)));
    await first.stop();

    const rest = await append(events.slice(half));
    const second = runner();
    await second.start();
    await waitFor(() => compareCheckpoints(second.checkpoint, rest) >= 0, {
      description: 'the rest projected',
    });
    const all = await tables();
    expect(all).toEqual(expected(events));
    await second.stop();
    // What the rows say, in words: version 3 restores version 1, every version kept, deprecated.
    const row = all.job_definitions.find((r) => r.name === names[0]);
    expect(row).toMatchObject({
      runningVersion: 3,
      versionCount: 3,
      criticality: 'critical',
      deprecated: true,
      deprecatedReason: 'replaced',
      proposal: null,
      approvedBy: null,
    });
    expect(
      all.job_manifest_versions
        .filter((v) => v.name === names[0])
        .map((v) => [v.jobVersion, v.rolledBackFrom, v.approvedBy]),
    ).toEqual([
      [1, null, 'bob'],
      [2, null, null],
      [3, 1, null],
    ]);
  });
});
