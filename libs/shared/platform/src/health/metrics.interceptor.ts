import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { ServiceMetrics } from './metrics';

/** Counts and times every handled gRPC call and HTTP request. */
@Injectable()
export class MetricsInterceptor implements NestInterceptor {
  constructor(@Inject(ServiceMetrics) private readonly metrics: ServiceMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const transport = context.getType() === 'rpc' ? 'grpc' : 'http';
    const method = `${context.getClass().name}.${context.getHandler().name}`;
    const stop = this.metrics.duration.startTimer({ transport, method });
    const count = (code: string) => {
      stop();
      this.metrics.requests.inc({ transport, method, code });
    };
    // One operator for both outcomes: the error passes on untouched (no catchError/throwError
    // pair), one subscriber less per call.
    return next.handle().pipe(
      tap({
        next: () => count('OK'),
        error: (error: unknown) => {
          const e = error as { code?: string | number; status?: string | number; name?: string };
          count(String(e.code ?? e.status ?? e.name ?? 'error'));
        },
      }),
    );
  }
}
