// A service's stop() and a failed start leave nothing of the service running in its process: its
// modules' shutdown hooks (where consumers leave their groups) run even when a request never ends,
// and a start that fails part way stops what had started.
import {
  Controller,
  Get,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  createTestContext,
  startTestService,
  waitFor,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { RequirePermission } from './auth/auth.decorators';
import type { ServiceDefinition } from './service-definition';

/** What the probe modules saw, per test. */
const seen = { requestsStarted: 0, shutdownHooks: 0 };
let releaseHangingRequests: () => void = () => undefined;
const hangingRequestsReleased = () =>
  new Promise<void>((resolve) => (releaseHangingRequests = resolve));

@Controller('api/probe')
class HangingController {
  @Get('hang')
  @RequirePermission('planning:read')
  async hang() {
    seen.requestsStarted++;
    await hangingRequestsReleased();
    return { ok: true };
  }
}

@Injectable()
class ShutdownRecorder implements OnApplicationShutdown {
  onApplicationShutdown(): void {
    seen.shutdownHooks++;
  }
}

@Module({ controllers: [HangingController], providers: [ShutdownRecorder] })
class HangingModule {}

@Injectable()
class FailingInit implements OnModuleInit {
  onModuleInit(): void {
    throw new Error('probe: this module cannot start');
  }
}

@Module({ providers: [ShutdownRecorder, FailingInit] })
class FailingModule {}

const hanging: ServiceDefinition = { service: 'planning', module: HangingModule };
const failing: ServiceDefinition = { service: 'planning', module: FailingModule };

describe('service shutdown', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext('shutdown');
  });
  afterAll(async () => {
    releaseHangingRequests();
    await ctx.dispose();
  });
  beforeEach(() => {
    seen.requestsStarted = 0;
    seen.shutdownHooks = 0;
  });

  it('cuts a request that outlives the grace period, so the shutdown hooks still run', async () => {
    const service: TestService = await startTestService(hanging, ctx, { SHUTDOWN_GRACE_MS: '500' });
    const token = await service.token('viewer');
    const request = fetch(`${service.httpUrl}/api/probe/hang`, {
      headers: { authorization: `Bearer ${token}` },
    }).then(
      (response) => response.status,
      (error: unknown) => `cut: ${String(error)}`,
    );
    await waitFor(() => seen.requestsStarted === 1, {
      timeoutMs: 10_000,
      description: 'the request reached its handler',
    });
    await service.stop();
    expect(seen.shutdownHooks).toBe(1);
    expect(await request).toMatch(/^cut: /);
  });

  it('a start that fails part way stops what had started and reports the failure', async () => {
    await expect(startTestService(failing, ctx, { SHUTDOWN_GRACE_MS: '500' })).rejects.toThrow(
      'probe: this module cannot start',
    );
    expect(seen.shutdownHooks).toBe(1);
  });
});
