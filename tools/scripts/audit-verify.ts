// Verifies a service's event store as a transparency log, reading only (it never seals):
// the whole Merkle tree against the stored batches, then against signed checkpoints kept outside
// the database (signature, root, consistency proofs).
//   npm run audit:verify -- --service <name> [--checkpoint-dir <dir>] [--trusted-checkpoint <file>]… [--vkey <file>]
// Defaults: checkpoints from .local/audit/<name>/checkpoints, the key from .local/audit/<name>/checkpoint-key.pem.vkey.
// Exit codes: 0 intact, 1 tampering found, 2 usage error, unknown service or unreachable database.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import {
  EventStoreNotFound,
  assertSchemaName,
  readCheckpointDirectory,
  verifyEventLog,
} from '@trainyard/event-store';
import { localDir } from '@trainyard/infra';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/trainyard';
const USAGE =
  'usage: npm run audit:verify -- --service <name> [--checkpoint-dir <dir>] [--trusted-checkpoint <file>]... [--vkey <file>]';

class UsageError extends Error {}

interface Args {
  readonly service: string;
  readonly checkpointDir: string;
  readonly trusted: readonly string[];
  readonly vkeyFile: string;
}

function parse(): Args {
  let values: {
    service?: string;
    'checkpoint-dir'?: string;
    'trusted-checkpoint'?: string[];
    vkey?: string;
  };
  try {
    ({ values } = parseArgs({
      options: {
        service: { type: 'string', short: 's' },
        'checkpoint-dir': { type: 'string' },
        'trusted-checkpoint': { type: 'string', multiple: true },
        vkey: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; ${USAGE}`);
  }
  if (!values.service) throw new UsageError(USAGE);
  let service: string;
  try {
    service = assertSchemaName(values.service);
  } catch {
    throw new UsageError(
      `unknown service ${JSON.stringify(values.service)}: not a valid service (schema) name`,
    );
  }
  return {
    service,
    checkpointDir: values['checkpoint-dir'] ?? localDir('audit', service, 'checkpoints'),
    trusted: values['trusted-checkpoint'] ?? [],
    vkeyFile: values.vkey ?? localDir('audit', service, 'checkpoint-key.pem.vkey'),
  };
}

async function main(): Promise<number> {
  const args = parse();
  const trusted = args.trusted.map((file) => {
    if (!existsSync(file)) throw new UsageError(`no such checkpoint file ${file}`);
    return readFileSync(file, 'utf8');
  });
  const published = await readCheckpointDirectory(args.checkpointDir);
  // The latest published checkpoint, and every earlier one an auditor kept outside.
  const checkpoints = [...trusted, ...published.slice(-1)];
  let verifierKey: string | undefined;
  if (checkpoints.length > 0) {
    if (!existsSync(args.vkeyFile))
      throw new UsageError(
        `checkpoints given but no verifier key: no such file ${args.vkeyFile} (--vkey)`,
      );
    verifierKey = readFileSync(args.vkeyFile, 'utf8').trim();
  }
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    max: 1,
  });
  try {
    const result = await verifyEventLog(pool, args.service, { checkpoints, verifierKey });
    if (!result.ok) {
      const where =
        result.firstBadPosition !== null
          ? `first bad position ${result.firstBadPosition} (leaf ${result.firstBadLeaf})`
          : result.firstBadLeaf !== null
            ? `first bad leaf ${result.firstBadLeaf}`
            : 'checkpoint';
      console.log(`TAMPERED: ${where}: ${result.reason}`);
      return 1;
    }
    console.log(
      `verified ${result.checked} events in ${args.service}, tree intact, root ${result.rootHash}, ` +
        `${result.checkpointsVerified} signed checkpoints consistent (${result.unsealed} newer events not yet sealed)`,
    );
    if (checkpoints.length === 0)
      console.log(
        `warning: no signed checkpoint found in ${args.checkpointDir}: events removed at the end together with their seals cannot be detected`,
      );
    return 0;
  } catch (error) {
    if (error instanceof EventStoreNotFound) {
      throw new UsageError(
        `unknown service ${JSON.stringify(args.service)}: no event store in schema ${args.service}`,
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
