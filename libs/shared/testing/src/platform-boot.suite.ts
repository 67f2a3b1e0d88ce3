import { status } from '@grpc/grpc-js';
import type { ServiceDefinition } from '@trainyard/platform';
import { callUnary, startTestService, type TestService } from './service-harness';
import { createTestContext, type TestContext } from './test-context';

/**
 * What every service owes the platform, as one suite each app runs against itself: SERVING on the
 * standard gRPC health service once PostgreSQL and Kafka answer, open health/readiness/metrics,
 * and its audit trail served to an auditor only.
 */
export function describePlatformBoot(definition: ServiceDefinition): void {
  const { service: name } = definition;
  describe(`${name} service boots on the platform`, () => {
    let ctx: TestContext;
    let service: TestService;
    beforeAll(async () => {
      ctx = await createTestContext(`${name}_e2e`);
      service = await startTestService(definition, ctx);
    });
    afterAll(async () => {
      await service.stop();
      await ctx.dispose();
    });

    it('reports SERVING on the standard gRPC health service once PostgreSQL and Kafka answer', async () => {
      expect(await service.health()).toBe('SERVING');
      for (const grpcService of [
        'trainyard.audit.v1.AuditTrailService',
        ...(definition.grpcServices ?? []),
      ]) {
        expect(await service.health(grpcService)).toBe('SERVING');
      }
    });

    it('answers /healthz, /readyz and /metrics without a token', async () => {
      expect((await fetch(`${service.httpUrl}/healthz`)).status).toBe(200);
      const ready = await fetch(`${service.httpUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ready',
        checks: { postgres: { ok: true }, kafka: { ok: true } },
      });
      const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
      expect(metrics).toContain(`trainyard_process_cpu_user_seconds_total{service="${name}"}`);
    });

    it('serves its audit trail to an auditor and refuses a call without a token', async () => {
      const client = service.client('trainyard.audit.v1.AuditTrailService');
      await expect(callUnary(client, 'ReadAll', {})).rejects.toMatchObject({
        code: status.UNAUTHENTICATED,
      });
      const page = await callUnary<{ events: unknown[]; endOfStore: boolean }>(
        client,
        'ReadAll',
        { pageSize: 10 },
        await service.token('auditor'),
      );
      expect(page.endOfStore).toBe(true);
    });
  });
}
