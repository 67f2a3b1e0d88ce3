// npm run demo — drives the running platform's public gRPC APIs (planning at 127.0.0.1:50051 or
// PLANNING_GRPC_ADDRESS, scheduling at 127.0.0.1:50052 or SCHEDULING_GRPC_ADDRESS, compliance at
// 127.0.0.1:50054 or COMPLIANCE_GRPC_ADDRESS) to build a realistic portfolio: seven teams, two
// release trains and an independent track, three closed releases of history, sixty workloads with
// dependencies, a compliance item and an emergency patch; commits the next release's scope and
// prints the plan with the reason for each workload, the deployment plan scheduling placed, the
// compliance reviews and evidence (demo/compliance-demo.ts), and the month-end batch jobs
// (demo-jobs.ts). Ids carry a per-run suffix, so it can run again.
//
// It runs in sections (demo/demo-sections.ts): a section that fails says why (what it waited for,
// how long), the sections that need it are skipped, the others still run, and a summary at the end
// lists every section; the exit code is non-zero when any section did not pass.
import { randomBytes } from 'node:crypto';
import { localDir, signDevToken } from '@trainyard/infra';
import { prepareCompliancePolicy, runComplianceDemo } from './demo/compliance-demo';
import { demoClient } from './demo/demo-grpc';
import { DemoSections } from './demo/demo-sections';
import { history, preparePlanning } from './demo/planning-history';
import { commitReleases, printReadModels, registerPortfolio } from './demo/planning-releases';
import { planningDemoSession } from './demo/planning-session';
import { schedulingDemo } from './demo/scheduling-demo';
import { monthEndJobs } from './demo-jobs';

const ADDRESS = process.env.PLANNING_GRPC_ADDRESS ?? '127.0.0.1:50051';
const SCHEDULING_ADDRESS = process.env.SCHEDULING_GRPC_ADDRESS ?? '127.0.0.1:50052';
const RUN = randomBytes(2).toString('hex');

const client = demoClient('planning', 'PlanningService', ADDRESS);

/**
 * Each section runs unless one it needs (named in its second argument) did not complete; the
 * order is the platform's flow, so compliance's policy is active before the portfolio arrives and
 * the calendar is defined before the release is committed.
 */
async function main(): Promise<boolean> {
  const token = await signDevToken({ roles: ['admin'], subject: 'demo-release-manager' });
  const session = planningDemoSession(client, token, RUN);
  const scheduling = schedulingDemo(SCHEDULING_ADDRESS, token, RUN);
  const complianceTarget = {
    grpcAddress: process.env.COMPLIANCE_GRPC_ADDRESS ?? '127.0.0.1:50054',
    httpUrl: process.env.COMPLIANCE_HTTP_URL ?? 'http://127.0.0.1:3004',
    sign: (roles: readonly string[], subject: string) => signDevToken({ roles, subject }),
  };
  const compliancePeriodFrom = new Date(Date.now() - 1000).toISOString();
  const demo = new DemoSections();
  try {
    const planningUp = await demo.run('planning', {}, () => preparePlanning(session));
    await demo.run('history', { planning: planningUp }, () => history(session));
    // Compliance (issue 13): its change-control policy active before the portfolio arrives.
    const policy = await demo.run('policy', {}, () => prepareCompliancePolicy(complianceTarget));
    const registered = await demo.run('portfolio', { planning: planningUp }, () =>
      registerPortfolio(session),
    );
    // Scheduling's calendar (issue 11) before the commit, so the placement sees it.
    const calendar = await demo.run('calendar', {}, () => scheduling.defineCalendar());
    const plan = await demo.run('commit', { portfolio: registered }, ({ portfolio }) =>
      commitReleases(session, portfolio),
    );
    const placed = await demo.run(
      'placement',
      { portfolio: registered, commit: plan },
      async ({ portfolio }) => {
        await scheduling.printDeploymentPlan(portfolio.main);
        return true;
      },
    );
    await demo.run('override', { calendar, placement: placed }, ({ calendar }) =>
      scheduling.printOverride(calendar.overrideId),
    );
    const included = await demo.run(
      'read-models',
      { portfolio: registered, commit: plan },
      ({ portfolio }) => printReadModels(session, portfolio.main),
    );
    await demo.run('compliance', { policy, portfolio: registered }, ({ portfolio }) => {
      // The regulated workloads in main's committed scope (all of them if none made it in).
      const regulated = [...portfolio.registered.values()].filter(
        (w) => w.regulatedData.length > 0,
      );
      const inScope = regulated.filter((w) => included?.has(w.workloadId));
      return runComplianceDemo(complianceTarget, {
        run: RUN,
        releaseId: portfolio.main,
        regulatedWorkloadIds: (inScope.length > 0 ? inScope : regulated).map((w) => w.workloadId),
        emergencyWorkloadId: session.id('payments-hotfix'),
        author: 'demo-release-manager',
        periodFrom: compliancePeriodFrom,
        outDir: localDir('demo'),
        erasure: { planningGrpcAddress: ADDRESS },
      });
    });
    // Batch jobs (issue 12): the month-end DAG across payments, finance and reporting.
    await demo.run('jobs', {}, () => monthEndJobs(SCHEDULING_ADDRESS));
  } finally {
    scheduling.close();
    client.close();
  }
  console.log(`\n${demo.summary().join('\n')}`);
  return demo.ok;
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    client.close();
    process.exitCode = 1;
  },
);
