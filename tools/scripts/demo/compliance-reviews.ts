// Sections 2 and 3 of the compliance demo: two sign-offs on a regulated workload (the author's
// own refused), and the emergency patch's retrospective review, opened by compliance and closed.
import { status } from '@grpc/grpc-js';
import type { complianceReview } from '@trainyard/grpc-contracts';
import type { ComplianceSession } from './compliance-demo.types';
import { DemoCallError, unary } from './demo-grpc';
import { waitUntil } from './demo-sections';

export interface SignedOffChange {
  /** The author's own sign-off, refused. */
  readonly refused: DemoCallError;
  readonly signed: complianceReview.WorkloadReview | undefined;
}

/** The author is refused, then two people in the configured roles sign the change off. */
export async function signOffChange(
  session: ComplianceSession,
  workloadId: string,
): Promise<SignedOffChange> {
  const { log, input, timeoutMs } = session;
  const { reviews } = session.clients;
  const { auditor, officer, approver, selfSigner } = session.tokens;
  const review = await waitUntil(`the change review of ${workloadId}`, timeoutMs, async () => {
    const answer = await unary<complianceReview.GetChangeReviewResponse>(
      reviews,
      'GetChangeReview',
      { workloadId },
      auditor,
    ).catch((error: unknown) => {
      if (error instanceof DemoCallError && error.code === status.NOT_FOUND) return undefined;
      throw error;
    });
    return answer?.reviews.find((r) => r.kind === 'change');
  });
  log(
    `\nChange review of ${workloadId} (${review.dataClasses.join(', ')}): ${review.requiredSignOffs} sign-offs required from ${review.allowedRoles.join(' / ')}, none by the author ${review.author}`,
  );
  const refused = await unary(
    reviews,
    'SignOffChange',
    { workloadId, role: 'approver', reason: 'my own change looks fine' },
    selfSigner,
  ).then(
    () => {
      throw new Error(`the author ${input.author} was allowed to sign off ${workloadId}`);
    },
    (error: unknown) => {
      if (!(error instanceof DemoCallError)) throw error;
      return error;
    },
  );
  log(
    `  REFUSED: ${input.author} (the author) signing off as approver — rule ${refused.rule}: ${refused.details}`,
  );
  let signed: complianceReview.WorkloadReview | undefined;
  for (const [token, role] of [
    [officer, 'compliance-officer'],
    [approver, 'approver'],
  ] as const) {
    signed = (
      await unary<complianceReview.SignOffChangeResponse>(
        reviews,
        'SignOffChange',
        { workloadId, role, reason: 'reviewed the change and its evidence' },
        token,
      )
    ).review;
    const last = signed?.signOffs.at(-1);
    log(`  signed off by ${last?.signer} as ${last?.role} at ${last?.signedAt}`);
  }
  log(`  review ${workloadId}: ${signed?.status}`);

  return { refused, signed };
}

export interface ClosedRetrospective {
  readonly retro: complianceReview.WorkloadReview;
  readonly closed: complianceReview.CloseRetrospectiveReviewResponse;
}

/** Waits for the emergency patch's retrospective review and closes it with findings. */
export async function closeRetrospective(session: ComplianceSession): Promise<ClosedRetrospective> {
  const { log, input, timeoutMs } = session;
  const { reviews } = session.clients;
  const { auditor, officer } = session.tokens;
  const retro = await waitUntil(
    `the retrospective review of ${input.emergencyWorkloadId}`,
    timeoutMs,
    async () => {
      const answer = await unary<complianceReview.GetChangeReviewResponse>(
        reviews,
        'GetChangeReview',
        { workloadId: input.emergencyWorkloadId },
        auditor,
      ).catch((error: unknown) => {
        if (error instanceof DemoCallError && error.code === status.NOT_FOUND) return undefined;
        throw error;
      });
      return answer?.reviews.find((r) => r.kind === 'retrospective');
    },
  );
  log(
    `\nRetrospective review of the emergency patch ${input.emergencyWorkloadId} (release ${retro.releaseId}): ${retro.status}, opened ${retro.openedAt}, due ${retro.dueAt} (an overdue finding after that)`,
  );
  const closed = await unary<complianceReview.CloseRetrospectiveReviewResponse>(
    reviews,
    'CloseRetrospectiveReview',
    {
      workloadId: input.emergencyWorkloadId,
      findings:
        'Root cause (duplicate capture on retry) fixed; idempotency key added; runbook updated.',
    },
    officer,
  );
  log(`  closed by ${closed.review?.closedBy}: ${closed.review?.status}`);

  return { retro, closed };
}
