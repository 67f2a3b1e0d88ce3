// SQLSTATEs after which the same work is expected to succeed if simply tried again: the connection
// or server went away, or the transaction lost a race. Anything else is the work's own fault.
const TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);
const TRANSIENT_NODE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/**
 * True for database errors that say nothing about the message being handled (connection lost,
 * server restarting, serialization conflict). Consumers retry those without counting an attempt, so
 * a database outage delays messages instead of dead-lettering them.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code))
      return true;
  }
  // node-postgres reports a dropped socket without a code.
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    error.message,
  );
}
