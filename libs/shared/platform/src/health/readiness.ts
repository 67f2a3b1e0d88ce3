import { HealthImplementation } from 'grpc-health-check';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects (or times out) otherwise. */
  check(): Promise<void>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<
    string,
    { readonly ok: boolean; readonly error?: string; readonly ms: number }
  >;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Readiness of a service's dependencies, checked on demand (/readyz) and periodically to drive the
 * standard gRPC health service: SERVING only while every check passes, NOT_SERVING once shutdown begins.
 */
export class Readiness {
  readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private timer?: NodeJS.Timeout;
  private draining = false;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly grpcServices: readonly string[],
  ) {
    for (const service of grpcServices) this.health.setStatus(service, 'NOT_SERVING');
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        const started = performance.now();
        try {
          await withTimeout(
            c.check(),
            CHECK_TIMEOUT_MS,
            `${c.name} did not answer within ${CHECK_TIMEOUT_MS} ms`,
          );
          return [c.name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return [
            c.name,
            { ok: false, error: message, ms: Math.round(performance.now() - started) },
          ] as const;
        }
      }),
    );
    const ready = !this.draining && results.every(([, r]) => r.ok);
    const checks: ReadinessReport['checks'] = {};
    for (const [name, result] of results) checks[name] = result;
    return { ready, checks };
  }

  /** Re-checks now and sets every gRPC health status from the result. */
  async refresh(): Promise<ReadinessReport> {
    const report = await this.report();
    const status = report.ready ? 'SERVING' : 'NOT_SERVING';
    for (const service of ['', ...this.grpcServices]) this.health.setStatus(service, status);
    return report;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  /** Shutdown has begun: report NOT_SERVING so load balancers stop sending new calls. */
  drain(): void {
    this.draining = true;
    clearInterval(this.timer);
    for (const service of ['', ...this.grpcServices]) this.health.setStatus(service, 'NOT_SERVING');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
