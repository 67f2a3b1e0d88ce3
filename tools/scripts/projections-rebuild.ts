// npm run projections:rebuild -- --service <name> [--projection <name>]
// Rebuilds a service's read models from the first event into fresh tables, against the database a
// running platform uses (DATABASE_URL, DATABASE_SCHEMA: default the service's name), and swaps them
// in. The running service keeps serving and updating the old tables until the swap.
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { createEventStore, formatCheckpoint } from '@trainyard/event-store';
import { DEFAULT_DATABASE_URL, redact } from '@trainyard/infra';
import type { ProjectionDefinition } from '@trainyard/kernel';
import { ProjectionRunner } from '@trainyard/messaging';
import { SERVICES, type ServiceName } from '@trainyard/platform';
import { SERVICE_DEFINITIONS } from './services';

export interface RebuildCommand {
  readonly service: string;
  /** One projection's name; all of the service's when omitted. */
  readonly projection?: string;
  readonly databaseUrl: string;
  readonly schema: string;
  readonly print: (line: string) => void;
  /** Progress lines at most this often (the last one always). Default 1 s. */
  readonly progressEveryMs?: number;
}

const isService = (name: string): name is ServiceName =>
  (SERVICES as readonly string[]).includes(name);

function selectProjections(
  service: string,
  projection: string | undefined,
): readonly ProjectionDefinition<unknown>[] {
  if (!isService(service))
    throw new Error(`unknown service ${JSON.stringify(service)}; one of ${SERVICES.join(', ')}`);
  const all = SERVICE_DEFINITIONS[service].projections ?? [];
  if (projection === undefined) {
    if (all.length === 0) throw new Error(`${service} has no projections`);
    return all;
  }
  const chosen = all.filter((p) => p.name === projection);
  if (chosen.length === 0)
    throw new Error(
      `${service} has no projection ${JSON.stringify(projection)}; it has ${all.map((p) => p.name).join(', ') || 'none'}`,
    );
  return chosen;
}

/** Rebuilds the selected projections one after the other, printing progress. */
export async function rebuildProjections(command: RebuildCommand): Promise<void> {
  const projections = selectProjections(command.service, command.projection);
  const { print } = command;
  const pool = new Pool({
    connectionString: command.databaseUrl,
    max: 3,
    application_name: 'trainyard-projections-rebuild',
  });
  const store = createEventStore(pool, command.schema);
  try {
    print(`${redact(command.databaseUrl)} schema "${command.schema}"`);
    for (const projection of projections) {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${store.schema}".events WHERE event_type = ANY($1::text[])`,
        [projection.eventTypes],
      );
      const total = Number(rows[0]?.n ?? 0);
      const started = Date.now();
      let printedAt = 0;
      const runner = new ProjectionRunner({ pool, store, projection });
      print(
        `${projection.name}: replaying about ${total} events into fresh tables (${projection.views.map((v) => v.table).join(', ')})`,
      );
      await runner.rebuild(({ phase, events, checkpoint }) => {
        const now = Date.now();
        if (phase === 'replay' && now - printedAt < (command.progressEveryMs ?? 1_000)) return;
        printedAt = now;
        const percent =
          total > 0 ? ` (${Math.min(100, Math.floor((events / total) * 100))} %)` : '';
        print(
          phase === 'replay'
            ? `${projection.name}: ${events} events replayed${percent}, at ${formatCheckpoint(checkpoint)}`
            : `${projection.name}: swapped in: ${events} events, checkpoint ${formatCheckpoint(checkpoint)}, ${((now - started) / 1000).toFixed(1)} s`,
        );
      });
    }
  } finally {
    await store.close();
    await pool.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { service: { type: 'string' }, projection: { type: 'string' } },
    strict: true,
  });
  if (!values.service)
    throw new Error('usage: npm run projections:rebuild -- --service <name> [--projection <name>]');
  await rebuildProjections({
    service: values.service,
    ...(values.projection !== undefined ? { projection: values.projection } : {}),
    databaseUrl: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    schema: process.env.DATABASE_SCHEMA ?? values.service,
    print: (line) => console.log(`[projections:rebuild] ${line}`),
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(
      `[projections:rebuild] ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  });
}
