import { Metadata } from '@grpc/grpc-js';
import type { Clock } from '@trainyard/kernel';
import { PRINCIPAL } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { CommandContexts } from './command-contexts';

const NOW = '2026-12-01T09:30:00.000Z';
const fixedClock: Clock = { now: () => NOW };
const principal: Principal = {
  subject: 'alice',
  roles: ['release-manager'],
  permissions: new Set(),
};
const authenticated = <T extends object>(carrier: T): T =>
  Object.assign(carrier, { [PRINCIPAL]: principal });

describe('CommandContexts', () => {
  const contexts = new CommandContexts(fixedClock);

  it('builds a gRPC command context from the verified principal, the correlation id, the reason and the clock', () => {
    const metadata = authenticated(new Metadata());
    metadata.set('x-correlation-id', 'corr-1');

    expect(contexts.forGrpc(metadata, '  quarterly plan  ')).toEqual({
      actor: 'alice',
      correlationId: 'corr-1',
      reason: 'quarterly plan',
      now: NOW,
    });
  });

  it('builds the same context for an HTTP request (first value of a repeated header)', () => {
    const request = authenticated({ headers: { 'x-correlation-id': ['corr-2', 'corr-3'] } });

    expect(contexts.forHttp(request, 'ad hoc')).toEqual({
      actor: 'alice',
      correlationId: 'corr-2',
      reason: 'ad hoc',
      now: NOW,
    });
  });

  it('gives a call without a correlation id a new one, and leaves an empty reason out', () => {
    const context = contexts.forHttp(authenticated({ headers: {} }));

    expect(context.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context).not.toHaveProperty('reason');
    expect(contexts.now()).toBe(NOW);
  });

  it('refuses to build a context for a call the auth guard did not authenticate', () => {
    expect(() => contexts.forHttp({ headers: {} })).toThrow();
  });
});
