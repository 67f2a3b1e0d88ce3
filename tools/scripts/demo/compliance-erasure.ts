// Section 5 of the compliance demo: a requester's name sealed in planning's events, erased by
// compliance (crypto-shredding) end to end.
import { status } from '@grpc/grpc-js';
import type { compliancePrivacy, planning } from '@trainyard/grpc-contracts';
import type {
  ComplianceDemoInput,
  ComplianceDemoResult,
  ComplianceDemoTarget,
} from './compliance-demo.types';
import { planningClient } from './compliance-grpc';
import { DemoCallError, unary, type DemoClient } from './demo-grpc';
import { waitUntil } from './demo-sections';

const ERASED = '[erased]';

/**
 * Registers a workload naming its requester (sealed for the data subject by planning), shows the
 * name in planning's read model and compliance's ledger, erases the subject through compliance,
 * shows `[erased]` in both, and withdraws the workload (it was only there to be erased).
 */
export async function eraseRequester(
  target: ComplianceDemoTarget,
  input: ComplianceDemoInput,
  planningAddress: string,
  privacy: DemoClient,
  people: { auditor: string; officer: string; timeoutMs: number },
): Promise<NonNullable<ComplianceDemoResult['erasure']>> {
  const log = target.log ?? console.log;
  const client = planningClient(planningAddress);
  try {
    const writer = await target.sign(['admin'], input.author);
    const workloadId = `customer-export-${input.run}`;
    const subjectId = `demo-customer-${input.run}`;
    const name = `Grace Hopper (demo ${input.run})`;
    await unary(
      client,
      'RegisterWorkload',
      {
        workloadId,
        title: 'Customer data export (GDPR art. 20 request)',
        team: 'data-insights',
        components: [{ name: 'data-lake', kind: 'COMPONENT_KIND_DATABASE' }],
        regulatedData: ['REGULATED_DATA_CLASS_PII'],
        jobSize: 2,
        businessValue: 3,
        timeCriticality: 5,
        riskReduction: 2,
        dependsOn: [],
        schemaChange: false,
        reason: 'data portability request',
        requester: { subjectId, name },
      },
      writer,
    );
    const requesterIn = async (): Promise<{ planning: string; ledger: string[] }> => {
      const { workload } = await unary<planning.GetWorkloadResponse>(
        client,
        'GetWorkload',
        { workloadId },
        writer,
      ).catch((error: unknown) => {
        if (error instanceof DemoCallError && error.code === status.NOT_FOUND)
          return { workload: undefined };
        throw error;
      });
      const response = await fetch(
        `${target.httpUrl}/api/compliance/ledger?workload=${encodeURIComponent(workloadId)}`,
        { headers: { authorization: `Bearer ${people.auditor}` } },
      );
      if (!response.ok) throw new Error(`GET /api/compliance/ledger: HTTP ${response.status}`);
      const page = (await response.json()) as { items?: { data?: { requester?: unknown } }[] };
      return {
        planning: workload?.requesterName ?? '',
        ledger: (page.items ?? [])
          .map((i) => i.data?.requester)
          .filter((r): r is string => typeof r === 'string'),
      };
    };
    const before = await waitUntil(
      `the requester of ${workloadId} in planning and the ledger`,
      people.timeoutMs,
      async () => {
        const seen = await requesterIn();
        return seen.planning === name && seen.ledger.includes(name) ? seen : undefined;
      },
    );
    log(
      `\nErasure: ${workloadId} was requested by data subject ${subjectId}; planning shows "${before.planning}", the ledger "${before.ledger.join('", "')}" (planning's events hold only the sealed ciphertext)`,
    );
    const { erasure } = await unary<compliancePrivacy.EraseSubjectResponse>(
      privacy,
      'EraseSubject',
      { subjectId, reason: `GDPR art. 17 request (demo ${input.run})` },
      people.officer,
    );
    log(
      `  subject ${subjectId} erased by ${erasure?.erasedBy} at ${erasure?.erasedAt} (its key shredded; ${erasure?.recordsAffected} ledger records affected)`,
    );
    const after = await waitUntil(`"${ERASED}" for ${workloadId}`, people.timeoutMs, async () => {
      const seen = await requesterIn();
      return seen.planning === ERASED && seen.ledger.length > 0 && !seen.ledger.includes(name)
        ? seen
        : undefined;
    });
    log(`  now planning shows "${after.planning}", the ledger "${after.ledger.join('", "')}"`);
    await unary(client, 'WithdrawWorkload', { workloadId, reason: 'erasure demo done' }, writer);
    return {
      workloadId,
      subjectId,
      nameBefore: before.planning,
      planningAfter: after.planning,
      ledgerAfter: after.ledger,
      recordsAffected: erasure?.recordsAffected ?? 0,
    };
  } finally {
    client.close();
  }
}
