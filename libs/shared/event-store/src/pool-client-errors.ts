import type { Pool } from 'pg';

/**
 * pg-pool takes its error listener off a client while the client is checked out. A connection that
 * dies between two statements of a checked-out client (a transaction doing work in JS between
 * queries) then emits an 'error' nobody listens to, and Node ends the process. A listener on every
 * client keeps that event handled; the failure still reaches the caller, whose next query on the
 * client is refused. (Seen in CI: /readyz test cutting PostgreSQL during a sealer pass.)
 */
export function handleCheckedOutClientErrors(pool: Pool): void {
  pool.on('connect', (client) => client.on('error', () => undefined));
}
