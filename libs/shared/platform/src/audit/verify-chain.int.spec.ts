import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { createEventStore } from '@trainyard/event-store';
import { callUnary, tamperAsSuperuser, waitFor } from '@trainyard/testing';
import { auditedTestService } from './audited-service.fixture';

@Module({})
class NoModule {}

const ROUNDS = 12;
const PER_ROUND = 2;
const EVENTS = ROUNDS * PER_ROUND;

interface VerifyChain {
  intact: boolean;
  checked: string;
  firstBadPosition: string;
  reason: string;
  checkpointsVerified: string;
}

describe('gRPC VerifyChain: bounded by the earliest and the latest stored checkpoint', () => {
  const audited = auditedTestService({ service: 'planning', module: NoModule }, 'verify_chain');

  const verify = async () =>
    callUnary<VerifyChain>(
      audited.service.client('trainyard.audit.v1.AuditTrailService'),
      'VerifyChain',
      {},
      await audited.service.token('auditor'),
    );
  const positionAtLeaf = async (leaf: number): Promise<string> => {
    const { rows } = await audited.ctx.pool.query<{ position: string }>(
      `SELECT e.position::text AS position FROM "${audited.ctx.schema}".events e ORDER BY e.position OFFSET $1 LIMIT 1`,
      [leaf],
    );
    return rows[0]!.position;
  };

  /** Appends in rounds, one transaction each, and signs a checkpoint at the end of every round. */
  async function appendAndSign(): Promise<number> {
    const client = audited.service.client('trainyard.audit.v1.AuditTrailService');
    const token = await audited.service.token('auditor');
    const store = createEventStore(audited.ctx.pool, audited.ctx.schema, {
      crossProcessSignal: false,
    });
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const events = Array.from({ length: PER_ROUND }, (_, i) => ({
          type: 'ProbeRecorded',
          data: { i },
          metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'user:test' },
        }));
        await store.append(`probe-${randomUUID()}`, events);
        // Sealing stops at the commit frontier, which another test's open transaction may hold back.
        await waitFor(
          async () =>
            (
              await callUnary<{ treeSize: string }>(
                client,
                'GetCheckpoint',
                { refresh: true },
                token,
              )
            ).treeSize === String(round * PER_ROUND),
          { description: `a checkpoint of ${round * PER_ROUND} events` },
        );
      }
    } finally {
      await store.close();
    }
    const { rows } = await audited.ctx.pool.query<{ stored: number }>(
      `SELECT count(*)::int AS stored FROM "${audited.ctx.schema}".event_tree_checkpoints`,
    );
    return rows[0]!.stored;
  }

  it('verifies 2 of the stored checkpoints, and still finds removed newest events and a changed event', async () => {
    expect(await appendAndSign()).toBeGreaterThanOrEqual(ROUNDS);
    // Passing every stored checkpoint would verify at least ROUNDS of them.
    expect(await verify()).toEqual({
      intact: true,
      checked: String(EVENTS),
      firstBadPosition: '',
      reason: '',
      unsealed: '0',
      checkpointsVerified: '2',
    });

    // The newest round removed together with its batch: only the latest checkpoint still knows.
    const start = EVENTS - PER_ROUND;
    const afterPosition = await positionAtLeaf(start - 1);
    await tamperAsSuperuser(
      audited.ctx.pool,
      audited.ctx.schema,
      `DELETE FROM events WHERE position > ${afterPosition};
       DELETE FROM event_tree_batches WHERE start_size >= ${start}`,
    );
    expect(await verify()).toMatchObject({
      intact: false,
      checked: String(start),
      reason: expect.stringMatching(
        `commits to ${EVENTS} events, the sealed tree holds ${start}: the events at leaves ` +
          `${start}\\.\\.${EVENTS - 1} \\(after position ${afterPosition}\\) were removed`,
      ),
    });

    // An event in the middle changed: found at its leaf, before the end is reached.
    const middle = await positionAtLeaf(7);
    await tamperAsSuperuser(
      audited.ctx.pool,
      audited.ctx.schema,
      `UPDATE events SET data = '{"i": -1}' WHERE position = ${middle}`,
    );
    expect(await verify()).toMatchObject({
      intact: false,
      checked: '7',
      firstBadPosition: middle,
      reason: expect.stringMatching(/leaf 7 .* does not match its sealed leaf hash/),
    });
  });

  it('answers GetCheckpoint with the largest tree, even when a smaller one was signed later by the clock', async () => {
    // A signer whose clock ran an hour ahead stored the first (smallest) checkpoint again.
    await audited.ctx.pool.query(
      `INSERT INTO "${audited.ctx.schema}".event_tree_checkpoints (tree_size, note, signed_at)
       SELECT tree_size, note, now() + interval '1 hour' FROM "${audited.ctx.schema}".event_tree_checkpoints
        ORDER BY tree_size LIMIT 1`,
    );
    const latest = await callUnary<{ treeSize: string }>(
      audited.service.client('trainyard.audit.v1.AuditTrailService'),
      'GetCheckpoint',
      {},
      await audited.service.token('auditor'),
    );
    expect(latest.treeSize).toBe(String(EVENTS));
  });
});
