import { status as GrpcStatus } from '@grpc/grpc-js';
import { decodeRpcStatus, encodeRpcStatus } from '@trainyard/grpc-contracts';
import { ResourceExhausted } from '@trainyard/kernel';
import { rpcStatusOf } from '@trainyard/platform';
import { createTestContext, type TestContext } from '@trainyard/testing';
import { AdmissionControl, PgRunQueueStats } from './admission-control';

/**
 * Admission against the real PostgreSQL, over the columns of the runtime's `job_runs` it reads
 * (team, job, state, started_at); the refusal as the platform encodes it.
 */
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('admission');
  await ctx.pool.query(
    `CREATE TABLE job_runs (run_id text PRIMARY KEY, job text NOT NULL, team text NOT NULL,
       state text NOT NULL, started_at timestamptz)`,
  );
});
afterAll(async () => {
  await ctx?.dispose();
});

let batch = 0;
const insertRuns = (job: string, team: string, state: string, n: number, started = false) =>
  ctx.pool.query(
    `INSERT INTO job_runs (run_id, job, team, state, started_at)
     SELECT $1 || '-' || $6 || '-' || i, $1, $2, $3, CASE WHEN $5 THEN clock_timestamp() END
       FROM generate_series(1, $4) AS i`,
    [job, team, state, n, started, (batch += 1)],
  );

describe('AdmissionControl', () => {
  it('admits below the limits and refuses at them with a retry-after from the drain rate', async () => {
    const stats = new PgRunQueueStats(ctx.pool, ctx.schema, 60);
    const control = new AdmissionControl(stats, { maxQueuedPerTeam: 100, maxQueuedPerJob: 5 });
    await insertRuns('payments.ledger.close', 'payments', 'scheduled', 4);
    await expect(
      control.admitOrRefuse('payments', 'payments.ledger.close'),
    ).resolves.toBeUndefined();
    await insertRuns('payments.ledger.close', 'payments', 'scheduled', 1);
    // 30 runs of the job started in the last minute: 0.5 per second; one over the limit → 2 s.
    await insertRuns('payments.ledger.close', 'payments', 'running', 30, true);
    const refusal = await control
      .admitOrRefuse('payments', 'payments.ledger.close')
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ResourceExhausted);
    expect(refusal).toMatchObject({
      subject: 'job-queue:payments.ledger.close',
      retryAfterSeconds: 2,
    });
    // Another team's queue is its own.
    await expect(control.admitOrRefuse('search', 'search.index.rebuild')).resolves.toBeUndefined();
  });

  it('the refusal travels as RESOURCE_EXHAUSTED with a google.rpc.RetryInfo', () => {
    const status = rpcStatusOf({
      grpc: GrpcStatus.RESOURCE_EXHAUSTED,
      http: 429,
      message: 'full',
      reason: 'RESOURCE_EXHAUSTED',
      retryAfterSeconds: 7,
    });
    const decoded = decodeRpcStatus(encodeRpcStatus(status));
    expect(decoded.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(decoded.details).toContainEqual({
      type: 'google.rpc.RetryInfo',
      value: { retryDelay: { seconds: '7', nanos: 0 } },
    });
  });
});
