import { ValidationError } from './domain-error';

/** Everything a decider may not invent itself: the clock, the actor, the stated reason. */
export interface CommandMetadata {
  readonly now: string; // ISO-8601 instant
  readonly actor: string;
  readonly reason?: string;
}

export interface Command<TType extends string, TData> {
  readonly type: TType;
  readonly data: TData;
  readonly metadata: CommandMetadata;
}

export interface DomainEvent<TType extends string, TData> {
  readonly type: TType;
  readonly data: TData;
}

export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export const isIsoInstant = (value: unknown): value is string =>
  typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));

export const assertIsoInstant = (field: string, value: unknown): string => {
  if (!isIsoInstant(value))
    throw new ValidationError(field, `${field} must be an ISO-8601 instant; got ${String(value)}`);
  return value;
};

export const assertNonEmpty = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(field, `${field} is required`);
  return value;
};

export const assertMetadata = (metadata: CommandMetadata): void => {
  assertIsoInstant('metadata.now', metadata.now);
  assertNonEmpty('metadata.actor', metadata.actor);
};
