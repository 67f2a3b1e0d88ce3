import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import type { complianceReview } from '@trainyard/grpc-contracts';
import {
  callUnary,
  ManualClock,
  refusal,
  trailer,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { ReviewOverdueSweeper } from '../src/application/review-overdue.sweeper';
import { ComplianceE2e, workloadRegistered } from './test-support/compliance-e2e.fixture';

// Reviews end to end against PostgreSQL and Kafka: a regulated workload registered on Kafka opens
// a change review → the author's sign-off refused → two sign-offs approve → a signer refused as
// deployer; an emergency patch opens a retrospective review → overdue by the ManualClock and the
// sweeper; hostile input refused with INVALID_ARGUMENT naming the field.

const START = '2031-05-04T09:00:00.000Z';

describe('compliance: reviews, sign-offs, separation of duties, retrospective reviews', () => {
  let e2e: ComplianceE2e;
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  const clock = new ManualClock(START);
  const run = randomBytes(3).toString('hex');
  const workloadId = `W-${run}`;
  const emergencyId = `E-${run}`;
  let author: string; // dev-approver, who registered the workload
  let officer: string; // dev-compliance-officer
  let admin: string; // dev-admin, also holding approver
  let auditor: string;
  let deployment: string;

  const rest = async (path: string, token = auditor) => {
    const response = await fetch(`${service.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    e2e = await ComplianceE2e.create('crev_reviews');
    ctx = e2e.ctx;
    await e2e.planningEvents();
    service = await e2e.start({ clock, env: { COMPLIANCE_REVIEW_SWEEP_MS: '0' } });
    client = service.client('trainyard.compliance.v1.ReviewService');
    author = await service.token('approver');
    officer = await service.token('compliance-officer');
    admin = await service.token('admin', 'approver');
    auditor = await service.token('auditor');
    deployment = await service.token('service');
  }, 60_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  it('opens a change review for a regulated workload registered on Kafka', async () => {
    await e2e.publishPlanning(
      'WorkloadRegistered',
      `workload-${workloadId}`,
      workloadRegistered(workloadId, {
        title: 'Card vault rotation',
        regulatedData: ['pii', 'financial'],
        riskReasons: ['regulated data'],
        registeredBy: 'dev-approver',
        registeredAt: START,
      }),
    );
    const answer = await waitFor(
      async () => {
        const r = await rest(`/api/compliance/reviews/${workloadId}`);
        return r.status === 200 ? r.body : undefined;
      },
      { description: 'the change review', timeoutMs: 30_000 },
    );
    expect((answer.reviews as unknown[])[0]).toMatchObject({
      workloadId,
      kind: 'change',
      status: 'Open',
      author: 'dev-approver',
      dataClasses: ['financial', 'pii'],
      requiredSignOffs: 2,
      allowedRoles: ['approver', 'compliance-officer'],
    });
  });

  it('refuses the author (review-author-cannot-sign), approves on two sign-offs', async () => {
    const self = await refusal(
      callUnary(client, 'SignOffChange', { workloadId, role: 'approver' }, author),
    );
    expect(self.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(self, 'trainyard-rule')).toBe('review-author-cannot-sign');

    const notHeld = await refusal(
      callUnary(client, 'SignOffChange', { workloadId, role: 'approver' }, officer),
    );
    expect(trailer(notHeld, 'trainyard-rule')).toBe('review-role-not-allowed');

    const denied = await refusal(
      callUnary(client, 'SignOffChange', { workloadId, role: 'auditor' }, auditor),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);

    const first = await callUnary<complianceReview.SignOffChangeResponse>(
      client,
      'SignOffChange',
      { workloadId, role: 'compliance-officer' },
      officer,
    );
    expect(first).toMatchObject({ changed: true, review: { status: 'Open' } });
    const again = await callUnary<complianceReview.SignOffChangeResponse>(
      client,
      'SignOffChange',
      { workloadId, role: 'compliance-officer' },
      officer,
    );
    expect(again.changed).toBe(false);
    const second = await callUnary<complianceReview.SignOffChangeResponse>(
      client,
      'SignOffChange',
      { workloadId, role: 'approver' },
      admin,
    );
    expect(second.review).toMatchObject({ status: 'Approved' });
    expect(second.review?.signOffs.map((s) => s.signer)).toEqual([
      'dev-compliance-officer',
      'dev-admin',
    ]);
  });

  it('refuses a signer as deployer (sod-approver-cannot-deploy) and records the decision', async () => {
    const refused = await callUnary<complianceReview.CheckDeploymentAllowedResponse>(
      client,
      'CheckDeploymentAllowed',
      { workloadId, deployer: 'dev-admin' },
      deployment,
    );
    expect(refused).toMatchObject({ allowed: false, rule: 'sod-approver-cannot-deploy' });
    const [row] = (
      await callUnary<complianceReview.GetChangeReviewResponse>(
        client,
        'GetChangeReview',
        { workloadId },
        auditor,
      )
    ).reviews;
    expect(row?.lastDeployment).toMatchObject({
      deployer: 'dev-admin',
      allowed: false,
      rule: 'sod-approver-cannot-deploy',
    });
    const allowed = await callUnary<complianceReview.CheckDeploymentAllowedResponse>(
      client,
      'CheckDeploymentAllowed',
      { workloadId, deployer: 'dev-deployer' },
      deployment,
    );
    expect(allowed.allowed).toBe(true);
  });

  it('opens a retrospective review for an emergency patch and marks it overdue after 48 h', async () => {
    await e2e.publishPlanning('EmergencyPatchScheduled', `release-R-${run}`, {
      releaseId: `R-${run}`,
      trackId: 'hotfix',
      workloadId: emergencyId,
      team: 'payments',
      jobSize: 2,
      severity: 1,
      unplanned: true,
      policyVersion: '1',
      requestedBy: 'dev-oncall',
      scheduledAt: START,
    });
    const opened = await waitFor(
      async () => {
        const r = await rest(`/api/compliance/reviews/${emergencyId}`);
        return r.status === 200 ? r.body : undefined;
      },
      { description: 'the retrospective review', timeoutMs: 30_000 },
    );
    expect((opened.reviews as unknown[])[0]).toMatchObject({
      kind: 'retrospective',
      status: 'Open',
      dueAt: '2031-05-06T09:00:00.000Z',
    });
    const sweeper = service.running.app.get(ReviewOverdueSweeper);
    clock.advance(47 * 3_600_000);
    expect(await sweeper.sweep()).toBe(0);
    clock.advance(2 * 3_600_000);
    expect(await sweeper.sweep()).toBe(1);
    expect(await sweeper.sweep()).toBe(0);
    const overdue = await waitFor(
      async () => {
        const r = await rest('/api/compliance/reviews?status=Overdue&kind=retrospective');
        return (r.body.items as { workloadId: string }[]).some((i) => i.workloadId === emergencyId)
          ? r.body
          : undefined;
      },
      { description: 'the overdue review', timeoutMs: 10_000 },
    );
    expect(overdue).toMatchObject({ page: 1, pageSize: 50 });

    const closed = await callUnary<complianceReview.CloseRetrospectiveReviewResponse>(
      client,
      'CloseRetrospectiveReview',
      { workloadId: emergencyId, findings: 'Root cause fixed; runbook updated.' },
      officer,
    );
    expect(closed.review).toMatchObject({ status: 'Closed', closedBy: 'dev-compliance-officer' });
  });

  it('refuses hostile input with INVALID_ARGUMENT naming the field, writing nothing', async () => {
    const before = await ctx.pool.query('SELECT count(*) AS n FROM events');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant(''),
          fc.string({ minLength: 65, maxLength: 80 }),
          fc.string({ minLength: 1, maxLength: 20 }).map((s) => `../${s}`),
          fc.string({ minLength: 1, maxLength: 10 }).map((s) => ` ${s}\u0000`),
        ),
        async (hostile) => {
          const error = await refusal(
            callUnary(
              client,
              'SignOffChange',
              { workloadId: hostile, role: 'compliance-officer' },
              officer,
            ),
          );
          expect(error.code).toBe(status.INVALID_ARGUMENT);
          expect(trailer(error, 'trainyard-field')).toBe('workload_id');
        },
      ),
      { numRuns: 25 },
    );
    const empty = await refusal(
      callUnary(
        client,
        'CloseRetrospectiveReview',
        { workloadId: emergencyId, findings: ' ' },
        officer,
      ),
    );
    expect(trailer(empty, 'trainyard-field')).toBe('findings');
    const bad = await rest('/api/compliance/reviews?status=Nope');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('status');
    const after = await ctx.pool.query('SELECT count(*) AS n FROM events');
    expect(after.rows[0]).toEqual(before.rows[0]);
  });
});
