/**
 * The logging this library needs. Structurally a subset of pino's `Logger` (context object first,
 * then the message), so a service passes its pino logger as it is.
 */
export interface MessagingLogger {
  error(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
  info(context: Record<string, unknown>, message: string): void;
  debug(context: Record<string, unknown>, message: string): void;
}

export const silentLogger: MessagingLogger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
