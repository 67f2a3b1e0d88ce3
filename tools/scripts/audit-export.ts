// Writes an evidence bundle an auditor verifies offline (docs/evidence-bundle.md): the population
// of changes in scope with counts reconciled against each service's log, every cited event with
// its RFC 6962 inclusion proof against the service's signed checkpoint, the checkpoints and keys,
// and a manifest of SHA-256 digests signed with Ed25519.
//   npm run audit:export -- --out <path> [--release <id> | --workload <id> | --from <date> --to <date>]
//                          [--archive] [--signing-key <pem>] [--service <name>]... [--audit-dir <dir>]
//                          [--consistency-from <earlier checkpoint file>]...
// The whole history by default. The manifest key: --signing-key or AUDIT_BUNDLE_SIGNING_KEY_FILE
// (an Ed25519 PKCS#8 PEM the operator keeps); without one a key is generated for this bundle,
// its private half discarded, and its fingerprint printed for the operator to hand the auditor.
// Exit codes: 0 written, 1 the export failed (a log does not match its checkpoint, empty scope),
// 2 usage error or unreachable database.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { readCheckpointDirectory, verifySignedCheckpoint } from '@trainyard/event-store';
import {
  EmptyScopeError,
  NoCheckpointError,
  exportEvidence,
  generateBundleSigningKey,
  hasEventStore,
  loadBundleSigningKey,
  writeBundleArchive,
  writeBundleDirectory,
} from '@trainyard/evidence';
import type { BundleScope, ReconciliationFile, ServiceLogSource } from '@trainyard/evidence';
import { RECONCILIATION_JSON } from '@trainyard/evidence';
import { localDir } from '@trainyard/infra';
import { SERVICES } from '@trainyard/platform';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/trainyard';
const USAGE =
  'usage: npm run audit:export -- --out <path> [--release <id> | --workload <id> | --from <date> --to <date>] [--archive] [--signing-key <pem>] [--service <name>]... [--audit-dir <dir>] [--consistency-from <checkpoint file>]...';

class UsageError extends Error {}

interface Args {
  readonly out: string;
  readonly scope: BundleScope;
  readonly archive: boolean;
  readonly signingKey?: string;
  readonly services: readonly string[];
  readonly auditDir: string;
  /** Earlier signed checkpoints (files) the bundle must prove its logs extend. */
  readonly consistencyFrom: readonly string[];
}

function instant(name: string, value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new UsageError(
      `--${name} ${JSON.stringify(value)} is not a date (YYYY-MM-DD or ISO 8601)`,
    );
  return new Date(t).toISOString();
}

function parse(): Args {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: 'string', short: 'o' },
        release: { type: 'string' },
        workload: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        archive: { type: 'boolean', default: false },
        'signing-key': { type: 'string' },
        service: { type: 'string', multiple: true },
        'audit-dir': { type: 'string' },
        'consistency-from': { type: 'string', multiple: true },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; ${USAGE}`);
  }
  const str = (key: string) => values[key] as string | undefined;
  const out = str('out');
  if (!out) throw new UsageError(USAGE);
  const chosen = ['release', 'workload', 'from'].filter((k) => str(k) !== undefined);
  if (chosen.length > 1 || (str('from') === undefined) !== (str('to') === undefined))
    throw new UsageError(`choose one scope: --release, --workload, or --from with --to; ${USAGE}`);
  let scope: BundleScope = { kind: 'all' };
  if (str('release') !== undefined) scope = { kind: 'release', releaseId: str('release')! };
  if (str('workload') !== undefined) scope = { kind: 'workload', workloadId: str('workload')! };
  if (str('from') !== undefined) {
    scope = { kind: 'period', from: instant('from', str('from')!), to: instant('to', str('to')!) };
    if (scope.from >= scope.to) throw new UsageError('--from must be before --to');
  }
  const services = (values.service as string[] | undefined) ?? [...SERVICES];
  const unknown = services.find((s) => !(SERVICES as readonly string[]).includes(s));
  if (unknown)
    throw new UsageError(
      `unknown service ${JSON.stringify(unknown)}; one of ${SERVICES.join(', ')}`,
    );
  const signingKey = str('signing-key') ?? process.env.AUDIT_BUNDLE_SIGNING_KEY_FILE;
  return {
    out: resolve(out),
    scope,
    archive: values.archive === true,
    ...(signingKey ? { signingKey } : {}),
    services,
    auditDir: str('audit-dir') ?? localDir('audit'),
    consistencyFrom: (values['consistency-from'] as string[] | undefined) ?? [],
  };
}

async function main(): Promise<number> {
  const args = parse();
  if (existsSync(args.out) && (args.archive || readdirNonEmpty(args.out)))
    throw new UsageError(`${args.out} already exists: choose a new path`);
  const key = args.signingKey ? loadBundleSigningKey(args.signingKey) : generateBundleSigningKey();
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    max: 2,
  });
  try {
    const sources: ServiceLogSource[] = [];
    for (const service of args.services) {
      // A service's schema is its name (DATABASE_SCHEMA's default).
      if (!(await hasEventStore(pool, service))) {
        console.log(
          `${service}: no event store in schema ${service} (never started here): not in the bundle`,
        );
        continue;
      }
      const vkeyFile = `${args.auditDir}/${service}/checkpoint-key.pem.vkey`;
      if (!existsSync(vkeyFile))
        throw new UsageError(`${service}: no checkpoint verifier key at ${vkeyFile} (--audit-dir)`);
      sources.push({
        service,
        schema: service,
        verifierKey: readFileSync(vkeyFile, 'utf8').trim(),
        publishedCheckpoints: await readCheckpointDirectory(
          `${args.auditDir}/${service}/checkpoints`,
        ),
      });
    }
    if (sources.length === 0)
      throw new UsageError('no service has an event store: nothing to export');
    // Each earlier checkpoint goes to the service whose key signed it.
    const earlier = new Map<string, string[]>();
    for (const file of args.consistencyFrom) {
      if (!existsSync(file))
        throw new UsageError(`no such checkpoint file ${file} (--consistency-from)`);
      const note = readFileSync(file, 'utf8');
      const owner = sources.find((s) => {
        try {
          verifySignedCheckpoint(note, s.verifierKey);
          return true;
        } catch {
          return false;
        }
      });
      if (!owner)
        throw new UsageError(`${file} is not a checkpoint signed by any exported service's key`);
      earlier.set(owner.service, [...(earlier.get(owner.service) ?? []), note]);
    }
    for (const [i, s] of sources.entries()) {
      const notes = earlier.get(s.service);
      if (notes) sources[i] = { ...s, earlierCheckpoints: notes };
    }
    const files = await exportEvidence(pool, sources, {
      scope: args.scope,
      createdAt: new Date().toISOString(),
      key,
    });
    if (args.archive) await writeBundleArchive(args.out, files);
    else await writeBundleDirectory(args.out, files);
    const reconciliation = JSON.parse(
      files.get(RECONCILIATION_JSON)!.toString('utf8'),
    ) as ReconciliationFile;
    const changes = (
      JSON.parse(files.get('population/changes.json')!.toString('utf8')) as { changeCount: number }
    ).changeCount;
    console.log(
      `evidence bundle written to ${args.out} (${args.archive ? 'tar archive' : 'directory'}, ${files.size} files)`,
    );
    console.log(`  scope: ${JSON.stringify(args.scope)}; ${changes} changes`);
    for (const s of reconciliation.services) {
      const exported = s.streamTypes.reduce((n, t) => n + t.exported, 0);
      console.log(
        `  ${s.service}: signed checkpoint ${s.origin} size ${s.treeSize}; ${exported} events exported with inclusion proofs` +
          (s.eventsAfterCheckpoint > 0
            ? `; ${s.eventsAfterCheckpoint} newer events not yet checkpointed (not covered)`
            : ''),
      );
    }
    console.log(
      `  manifest signed with Ed25519 key ${key.fingerprint}` +
        (key.ephemeral
          ? ' (generated for this bundle, private key discarded): give this fingerprint to the auditor separately'
          : ` (${args.signingKey})`),
    );
    console.log(
      `verify: npm run audit:verify-bundle -- ${args.out} --expect-key ${key.fingerprint}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof EmptyScopeError || error instanceof NoCheckpointError) {
      console.error(`audit:export: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await pool.end();
  }
}

/** A path the bundle may not be written to: a file, or a directory with something in it. */
function readdirNonEmpty(path: string): boolean {
  return !statSync(path).isDirectory() || readdirSync(path).length > 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      console.error(message);
      process.exitCode = 2;
    } else {
      console.error(`audit:export failed: ${message}`);
      process.exitCode = 1;
    }
  },
);
