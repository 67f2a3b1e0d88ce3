// Verifies a service's event store against its seal chain, reading only (it never seals).
//   npm run audit:verify -- --service <name>
// Exit codes: 0 chain intact, 1 tampering found, 2 usage error, unknown service or unreachable database.
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { EventStoreNotFound, assertSchemaName, verifyEventChain } from '@trainyard/event-store';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/trainyard';
const USAGE = 'usage: npm run audit:verify -- --service <name>';

class UsageError extends Error {}

function serviceFromArgs(): string {
  let values: { service?: string };
  try {
    ({ values } = parseArgs({
      options: { service: { type: 'string', short: 's' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; ${USAGE}`);
  }
  if (!values.service) throw new UsageError(USAGE);
  try {
    return assertSchemaName(values.service);
  } catch {
    throw new UsageError(
      `unknown service ${JSON.stringify(values.service)}: not a valid service (schema) name`,
    );
  }
}

async function main(): Promise<number> {
  const schema = serviceFromArgs();
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    max: 1,
  });
  try {
    const result = await verifyEventChain(pool, schema);
    if (!result.ok) {
      console.log(`TAMPERED: first bad position ${result.firstBadPosition}: ${result.reason}`);
      return 1;
    }
    console.log(
      `verified ${result.checked} events in ${schema}, chain intact (${result.unsealed} newer events not yet sealed)`,
    );
    return 0;
  } catch (error) {
    if (error instanceof EventStoreNotFound) {
      throw new UsageError(
        `unknown service ${JSON.stringify(schema)}: no event store in schema ${schema}`,
      );
    }
    throw error;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(error instanceof UsageError ? message : `audit:verify failed: ${message}`);
    process.exitCode = 2;
  },
);
