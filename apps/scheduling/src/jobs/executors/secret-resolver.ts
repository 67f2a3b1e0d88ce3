/**
 * Where executors get secret values, by name, just before use (the secrets store decrypts them).
 * A name that is not stored is absent from the answer: rendering then fails naming the field.
 */
export interface SecretResolver {
  resolve(names: readonly string[]): Promise<ReadonlyMap<string, string>>;
}
export const SECRET_RESOLVER = Symbol('trainyard.scheduling.secret-resolver');

/** Logs of the executors (Nest's Logger fits); every line is redacted before it gets here. */
export interface ExecutorLogger {
  log(message: string): void;
  warn(message: string): void;
}
export const EXECUTOR_LOGGER = Symbol('trainyard.scheduling.executor-logger');
