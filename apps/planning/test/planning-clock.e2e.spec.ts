import { randomBytes } from 'node:crypto';
import { planning } from '@trainyard/grpc-contracts';
import {
  ManualClock,
  callUnary,
  createTestContext,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { planningService } from '../src/planning.service';

/** "now" comes from the injected clock (ServiceDefinition.clock → CLOCK), never from the system clock. */
describe('planning reads time only from the injected clock', () => {
  const clock = new ManualClock('2031-05-04T09:00:00.000Z');
  const run = randomBytes(3).toString('hex');
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let token: string;

  beforeAll(async () => {
    ctx = await createTestContext('planning_clock');
    service = await startTestService({ ...planningService, clock }, ctx);
    client = service.client('trainyard.planning.v1.PlanningService');
    token = await service.token('release-manager', 'viewer');
  });

  afterAll(async () => {
    await service?.stop();
    await ctx?.dispose();
  });

  it('stamps a command with the clock of the service and answers time-dependent queries at that instant', async () => {
    const registered = await callUnary<planning.RegisterWorkloadResponse>(
      client,
      'RegisterWorkload',
      {
        workloadId: `WL-${run}-clock`,
        title: 'Clock check',
        team: `clock-${run}`,
        components: [
          { name: 'checkout-service', kind: planning.ComponentKind.COMPONENT_KIND_SERVICE },
        ],
        jobSize: 3,
        businessValue: 8,
        timeCriticality: 5,
        riskReduction: 3,
        reason: 'clock',
      },
      token,
    );
    expect(registered.workload?.registeredAt).toBe('2031-05-04T09:00:00.000Z');

    clock.advance(60 * 60 * 1000);
    const health = await callUnary<planning.GetBacklogHealthResponse>(
      client,
      'GetBacklogHealth',
      {},
      token,
    );
    expect(health.asOf).toBe('2031-05-04T10:00:00.000Z');
  });
});
