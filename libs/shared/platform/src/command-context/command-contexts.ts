import { randomUUID } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { Inject, Injectable } from '@nestjs/common';
import type { CommandContext } from '@trainyard/event-store';
import type { Clock } from '@trainyard/kernel';
import { currentTraceContext } from '@trainyard/observability';
import { principalOf } from '../auth/auth.guard';
import { CLOCK } from '../tokens';

const CORRELATION_ID = 'x-correlation-id';

const firstText = (metadata: Metadata, key: string): string | undefined => {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : value?.toString();
};

/**
 * Builds the one command context every adapter passes to its use cases: the actor from the
 * verified token, the caller's correlation id (or a new one), the active trace, the stated reason
 * and `now` from the injected clock.
 */
@Injectable()
export class CommandContexts {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** The instant for a query that depends on "now" (e.g. overdue, sunset). */
  now(): string {
    return this.clock.now();
  }

  forGrpc(metadata: Metadata, reason = ''): CommandContext {
    return this.build(principalOf(metadata).subject, firstText(metadata, CORRELATION_ID), reason);
  }

  /** `request` is the HTTP request the auth guard authenticated. */
  forHttp(
    request: { readonly headers: Record<string, string | string[] | undefined> },
    reason = '',
  ): CommandContext {
    const header = request.headers[CORRELATION_ID];
    return this.build(
      principalOf(request).subject,
      Array.isArray(header) ? header[0] : header,
      reason,
    );
  }

  private build(actor: string, correlationId: string | undefined, reason: string): CommandContext {
    const trace = currentTraceContext();
    const trimmed = reason.trim();
    return {
      actor,
      correlationId: correlationId || randomUUID(),
      ...(trimmed ? { reason: trimmed } : {}),
      ...(trace ? { trace } : {}),
      now: this.clock.now(),
    };
  }
}
