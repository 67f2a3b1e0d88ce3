import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per service: process metrics plus request counts and durations per transport. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'transport' | 'method' | 'code'>;
  readonly duration: Histogram<'transport' | 'method'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'trainyard_' });
    this.requests = new Counter({
      name: 'trainyard_requests_total',
      help: 'Handled gRPC calls and HTTP requests by method and result code',
      labelNames: ['transport', 'method', 'code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'trainyard_request_duration_seconds',
      help: 'gRPC call and HTTP request duration',
      labelNames: ['transport', 'method'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }
}
