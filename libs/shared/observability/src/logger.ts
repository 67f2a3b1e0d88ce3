import { trace, isSpanContextValid } from '@opentelemetry/api';
import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs, one object a line: time, level name, service, message, and the active span's
 * trace_id/span_id/trace_flags (the OpenTelemetry log data model names), so a log line leads to its trace.
 */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const context = trace.getActiveSpan()?.spanContext();
      if (!context || !isSpanContextValid(context)) return {};
      return {
        trace_id: context.traceId,
        span_id: context.spanId,
        trace_flags: `0${context.traceFlags.toString(16)}`,
      };
    },
  });
}
