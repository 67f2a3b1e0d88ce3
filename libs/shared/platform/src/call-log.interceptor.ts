import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { tap, type Observable } from 'rxjs';

/**
 * One debug line per handled gRPC call (HTTP requests have pino-http's): method, outcome and
 * duration, written inside the call, so it carries the call's trace_id/span_id like every log line.
 */
@Injectable()
export class GrpcCallLogInterceptor implements NestInterceptor {
  private readonly logger = new Logger('GrpcCall');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const method = `${context.getClass().name}.${context.getHandler().name}`;
    const started = performance.now();
    const log = (code: string) =>
      this.logger.debug(
        { method, code, ms: Math.round(performance.now() - started) },
        `gRPC ${method} ${code}`,
      );
    return next.handle().pipe(
      tap({
        next: () => log('OK'),
        error: (error: unknown) => {
          const e = error as { code?: string | number; name?: string };
          log(String(e.code ?? e.name ?? 'error'));
        },
      }),
    );
  }
}
