import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, type TestService } from '@trainyard/testing';
import { ComplianceE2e, type GrcEvent } from './test-support/compliance-e2e.fixture';

/**
 * Retention through the service (issue 13 items 6 and 9): a legal hold placed over REST, a sweep
 * requested over REST deletes and archives the expired ledger rows the hold does not cover, and
 * the hold, the purge and the archive reach GRC tools as CloudEvents on the compliance topic.
 */
describe('compliance: retention sweep over REST, on the GRC feed', () => {
  let e2e: ComplianceE2e;
  let service: TestService;
  let dir: string;
  const correlation = `retention-e2e-${randomUUID()}`;
  let seen: GrcEvent[];

  const rest = async (path: string, bearer: string, body?: unknown) => {
    const response = await fetch(`${service.httpUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        'x-correlation-id': correlation,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const ledgerRow = (id: string, daysAgo: number, workloadId: string) =>
    e2e.ctx.pool.query(
      `INSERT INTO ledger_entries (event_id, topic, source, source_service, type, event_type,
         trail_kind, occurred_at, links, data, kafka_partition, kafka_offset, recorded_at)
       VALUES ($1, 't', '/trainyard/planning', 'planning', 'dev.trainyard.planning.WorkloadRegistered.v1',
         'WorkloadRegistered', 'change-request', now() - make_interval(days => $2), $3, $4, 0, '0', now())`,
      [
        id,
        daysAgo,
        JSON.stringify([{ kind: 'workload', id: workloadId }]),
        JSON.stringify({ workloadId }),
      ],
    );

  beforeAll(async () => {
    e2e = await ComplianceE2e.create('cretention_e2e');
    dir = await mkdtemp(join(tmpdir(), 'trainyard-retention-e2e-'));
    seen = await e2e.grcFeed((event) => event.correlationId === correlation);
    service = await e2e.start({
      env: { COMPLIANCE_RECORD_ARCHIVE_DIR: dir, COMPLIANCE_RETENTION_SWEEP_MS: '0' },
    });
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses readers and bad bodies, then sweeps under the hold and publishes every fact', async () => {
    await ledgerRow('e2e-old', 3000, 'W-E2E-1');
    await ledgerRow('e2e-held', 3000, 'W-E2E-HELD');
    await ledgerRow('e2e-archive', 1000, 'W-E2E-2');
    await ledgerRow('e2e-young', 5, 'W-E2E-3');
    const officer = await service.token('compliance-officer');
    const auditor = await service.token('auditor');

    expect((await rest('/api/compliance/retention/sweeps', auditor, {})).status).toBe(403);
    const bad = await rest('/api/compliance/retention/sweeps', officer, { reason: 42 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('reason');

    const hold = await rest('/api/compliance/privacy/legal-holds', officer, {
      holdId: 'H-E2E',
      scope: { kind: 'workload', id: 'W-E2E-HELD' },
      reason: 'litigation 2031-4',
    });
    expect(hold.status).toBe(201);

    const sweep = await rest('/api/compliance/retention/sweeps', officer, {
      reason: 'quarterly retention',
    });
    expect(sweep.status).toBe(200);
    expect(sweep.body['recorded']).toEqual(['RecordsPurged', 'RecordsArchived']);
    const { rows } = await e2e.ctx.pool.query<{ event_id: string }>(
      'SELECT event_id FROM ledger_entries ORDER BY event_id',
    );
    expect(rows.map((r) => r.event_id)).toEqual(['e2e-held', 'e2e-young']);

    const archives = await rest('/api/compliance/retention/archives', auditor);
    expect(archives.status).toBe(200);
    expect(archives.body).toMatchObject({ ok: true, archives: [{ ok: true, count: 1 }] });

    await waitFor(() => seen.length >= 3, {
      timeoutMs: 60_000,
      description: 'the hold, the purge and the archive on the compliance topic',
    });
    expect(seen.map((e) => e.type)).toEqual([
      'dev.trainyard.compliance.LegalHoldPlaced.v1',
      'dev.trainyard.compliance.RecordsPurged.v1',
      'dev.trainyard.compliance.RecordsArchived.v1',
    ]);
    expect(seen[1]!.data).toMatchObject({
      recordType: 'ledger-entry',
      count: 1,
      heldBack: [{ holdId: 'H-E2E', records: 1 }],
    });
    expect(seen[2]!.data).toMatchObject({ recordType: 'ledger-entry', count: 1 });
  });
});
