// Archives old ranges of a service's event log (issue 13 item 6; docs/adr/0013-crypto-shredding.md):
// the next segment of sealed leaves recorded before the retention cutoff, stopping in front of the
// first event a legal hold covers; or, with --verify, checks every segment from its files and
// against the live tree. The live rows stay (archival export; see the ADR for removal).
//   npm run audit:archive -- --service <name> [--out <dir>] [--before <instant> | --older-than-days <n>] [--holds-schema <schema>]
//   npm run audit:archive -- --service <name> --verify [--out <dir>] [--offline]
//   npm run audit:archive -- --service compliance --records [--out <dir>] [--reason <text>] [--verify]
// --records runs compliance's retention pass (the same as the service's sweeper and
// POST /api/compliance/retention/sweeps): ledger, evaluation and webhook rows past their period are
// deleted or moved to archive files, legal holds kept, recorded as RecordsPurged/RecordsArchived;
// with --verify it checks every archive file the log recorded (the changed line is named).
// Defaults: --out .local/audit/<name>/archive; the cutoff from the retention policy (record type
// `event-log`, COMPLIANCE_RETENTION_POLICY JSON or the default); holds from schema `compliance`.
// Exit codes: 0 done (or nothing to archive), 1 verification failed, 2 usage error.
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { assertSchemaName, createEventStore, type SealableEvent } from '@trainyard/event-store';
import {
  DEFAULT_RETENTION_POLICY,
  PRIVACY_REGISTER_STREAM,
  holdsCovering,
  parseRetentionPolicy,
  privacyDecider,
  type LegalHold,
  type PrivacyEvent,
} from '@trainyard/compliance-domain';
import { isSealedPersonalData } from '@trainyard/kernel';
import { localDir } from '@trainyard/infra';
import { exportArchiveSegment, verifyArchive } from '@trainyard/privacy';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import {
  RetentionSweep,
  retentionSettingsFromEnv,
  verifyRecordArchives,
} from '../../apps/compliance/src/compliance.service';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/trainyard';
const USAGE =
  'usage: npm run audit:archive -- --service <name> [--out <dir>] [--before <instant> | --older-than-days <n>] [--holds-schema <schema>] | --verify [--offline] | --records [--reason <text>] [--verify]';

class UsageError extends Error {}

const subjectsIn = (value: unknown, into: string[] = []): string[] => {
  if (isSealedPersonalData(value)) into.push(value.$pii.subject);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) subjectsIn(item, into);
  return into;
};

/** What an event mentions, as legal holds see it. */
const footprintOf = (event: SealableEvent) => {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<
    string,
    unknown
  >;
  const [kind, ...rest] = event.streamId.split('-');
  const id = rest.join('-');
  const text = (v: unknown) => (typeof v === 'string' ? [v] : []);
  return {
    recordedAt: event.recordedAt,
    workloadIds: [...text(data['workloadId']), ...(kind === 'workload' ? [id] : [])],
    releaseIds: [...text(data['releaseId']), ...(kind === 'release' ? [id] : [])],
    subjectIds: subjectsIn(data),
  };
};

async function holdsIn(pool: Pool, schema: string): Promise<LegalHold[]> {
  const exists = await pool.query<{ found: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS found',
    [`"${schema}".events`],
  );
  if (!exists.rows[0]?.found)
    throw new UsageError(
      `no event store in schema ${schema}: cannot read legal holds (--holds-schema)`,
    );
  const store = createEventStore(pool, schema, { crossProcessSignal: false });
  try {
    const events = await store.readStream(PRIVACY_REGISTER_STREAM);
    return events
      .reduce(
        (state, e) => privacyDecider.evolve(state, { type: e.type, data: e.data } as PrivacyEvent),
        privacyDecider.initialState(),
      )
      .holds.filter((h) => h.releasedAt === undefined);
  } finally {
    await store.close();
  }
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        service: { type: 'string', short: 's' },
        out: { type: 'string' },
        before: { type: 'string' },
        'older-than-days': { type: 'string' },
        'holds-schema': { type: 'string' },
        verify: { type: 'boolean' },
        offline: { type: 'boolean' },
        records: { type: 'boolean' },
        reason: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; ${USAGE}`);
  }
  if (typeof values.service !== 'string') throw new UsageError(USAGE);
  const service = values.service;
  try {
    assertSchemaName(service);
  } catch {
    throw new UsageError(`unknown service ${JSON.stringify(service)}`);
  }
  const out = typeof values.out === 'string' ? values.out : localDir('audit', service, 'archive');
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    max: 2,
  });
  try {
    if (values.records) return await recordRetention(pool, service, values);
    if (values.verify) {
      const result = await verifyArchive(out, service, values.offline ? undefined : pool);
      if (!result.ok) {
        console.log(`ARCHIVE INVALID: ${result.reason}`);
        return 1;
      }
      console.log(
        `archive of ${service} in ${out}: ${result.segments} segments, leaves 0..${result.leaves - 1}, root ${result.rootAtEnd}` +
          (result.liveChecked ? ', consistent with the live tree' : ' (files only)'),
      );
      return 0;
    }
    let before: string;
    if (typeof values.before === 'string') {
      if (Number.isNaN(Date.parse(values.before)))
        throw new UsageError(`--before must be an instant, got ${values.before}`);
      before = new Date(values.before).toISOString();
    } else {
      const policy = process.env.COMPLIANCE_RETENTION_POLICY
        ? parseRetentionPolicy(JSON.parse(process.env.COMPLIANCE_RETENTION_POLICY))
        : DEFAULT_RETENTION_POLICY;
      const days =
        typeof values['older-than-days'] === 'string'
          ? Number(values['older-than-days'])
          : policy['event-log']?.archiveAfterDays;
      if (days === undefined || !Number.isInteger(days) || days < 0)
        throw new UsageError(
          'no archive period: give --before, --older-than-days or an event-log archiveAfterDays',
        );
      before = new Date(Date.now() - days * 86_400_000).toISOString();
    }
    const holds = await holdsIn(
      pool,
      typeof values['holds-schema'] === 'string' ? values['holds-schema'] : 'compliance',
    );
    const result = await exportArchiveSegment(pool, service, {
      dir: out,
      before,
      heldBy: (event) => holdsCovering(holds, [footprintOf(event)])[0]?.holdId,
    });
    if (!result.exported) {
      console.log(`nothing archived: ${result.reason}`);
      return 0;
    }
    const m = result.manifest;
    console.log(
      `archived leaves ${m.fromLeaf}..${m.toLeaf - 1} of ${service} (positions ${m.firstPosition}..${m.lastPosition}) to ${out}/${m.file}, sha256 ${m.sha256}` +
        (result.stoppedBy ? `; stopped: ${result.stoppedBy}` : ''),
    );
    return 0;
  } finally {
    await pool.end();
  }
}

/** Compliance's retention pass over its own tables, or the check of the archive files it wrote. */
async function recordRetention(
  pool: Pool,
  schema: string,
  values: Record<string, string | boolean | undefined>,
): Promise<number> {
  const settings = retentionSettingsFromEnv(schema);
  const archiveDir = typeof values.out === 'string' ? values.out : settings.archiveDir;
  if (values.verify) {
    const result = await verifyRecordArchives(pool, schema, archiveDir);
    if (!result.ok) {
      console.log(`RECORD ARCHIVE INVALID: ${result.firstFailure}`);
      return 1;
    }
    console.log(
      `record archives of ${schema} in ${archiveDir}: ${result.archives.length} files intact`,
    );
    return 0;
  }
  const exists = await pool.query<{ found: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS found',
    [`"${schema}".ledger_entries`],
  );
  if (!exists.rows[0]?.found)
    throw new UsageError(`--records: schema ${schema} holds no compliance read models`);
  const report = await new RetentionSweep(pool, schema, { ...settings, archiveDir }).run({
    actor: `operator:${userInfo().username}`,
    correlationId: randomUUID(),
    reason:
      typeof values.reason === 'string' && values.reason.trim()
        ? values.reason
        : 'retention sweep (audit:archive)',
    now: new Date().toISOString(),
  });
  for (const o of report.outcomes)
    console.log(
      `${o.recordType}: ${o.action} ${o.count} recorded before ${o.cutoff}` +
        (o.heldBack.length
          ? `; kept by legal holds: ${o.heldBack.map((h) => `${h.holdId} (${h.records})`).join(', ')}`
          : '') +
        (o.archive ? `; ${archiveDir}/${o.archive.file} sha256 ${o.archive.sha256}` : ''),
    );
  console.log(`recorded: ${report.recorded.join(', ') || 'nothing (nothing was due)'}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(error instanceof UsageError ? message : `audit:archive failed: ${message}`);
    process.exitCode = 2;
  },
);
