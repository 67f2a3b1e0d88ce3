import { NotFoundError, ValidationError, type CommandMetadata } from '@trainyard/kernel';
import { SECRET_NAME } from '../executors/placeholders';

/**
 * A secret executors use by name (issue 12, item 2). The aggregate holds its metadata only: the
 * value is sealed (envelope encryption) in the secrets table under `valueId`, never in an event,
 * a state or a log. Stream `secret-<name>`.
 */
export type Secret =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active';
      readonly name: string;
      readonly version: number;
      readonly valueId: string;
      readonly kekId: string;
      readonly createdAt: string;
      readonly createdBy: string;
      readonly rotatedAt?: string;
      readonly rotatedBy?: string;
    }
  | { readonly status: 'deleted'; readonly name: string; readonly version: number };

export const initialSecret = (): Secret => ({ status: 'absent' });
export const secretStream = (name: string): string => `secret-${name}`;
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;

export type SecretSet = {
  readonly type: 'SecretSet';
  readonly data: {
    readonly name: string;
    readonly version: number;
    readonly valueId: string;
    readonly kekId: string;
    readonly setBy: string;
    readonly setAt: string;
  };
};
export type SecretRotated = {
  readonly type: 'SecretRotated';
  readonly data: {
    readonly name: string;
    readonly version: number;
    readonly valueId: string;
    readonly kekId: string;
    readonly rotatedBy: string;
    readonly rotatedAt: string;
  };
};
export type SecretDeleted = {
  readonly type: 'SecretDeleted';
  readonly data: {
    readonly name: string;
    readonly version: number;
    readonly deletedBy: string;
    readonly deletedAt: string;
  };
};
export type SecretEvent = SecretSet | SecretRotated | SecretDeleted;
export const SECRET_EVENT_TYPES = ['SecretSet', 'SecretRotated', 'SecretDeleted'] as const;

/** The value itself never enters the command: the adapter seals it and passes its id. */
export type PutSecret = {
  readonly type: 'PutSecret';
  readonly data: { readonly name: string; readonly valueId: string; readonly kekId: string };
  readonly metadata: CommandMetadata;
};
export type DeleteSecret = {
  readonly type: 'DeleteSecret';
  readonly data: { readonly name: string };
  readonly metadata: CommandMetadata;
};
export type SecretCommand = PutSecret | DeleteSecret;

/** Refuses a malformed name or value, naming the field (`name`, `value`). */
export const validateSecretInput = (name: unknown, value?: unknown): void => {
  if (typeof name !== 'string' || name === '')
    throw new ValidationError('name', 'name is required');
  if (name.length > 200 || !SECRET_NAME.test(name))
    throw new ValidationError(
      'name',
      'name must be lowercase letters and digits separated by single - _ . or / (at most 200 characters)',
    );
  if (value === undefined) return;
  if (typeof value !== 'string' || value === '')
    throw new ValidationError('value', 'value is required and must be a non-empty string');
  if (new TextEncoder().encode(value).byteLength > MAX_SECRET_VALUE_BYTES)
    throw new ValidationError('value', `value must be at most ${MAX_SECRET_VALUE_BYTES} bytes`);
};

export const decideSecret = (command: SecretCommand, state: Secret): SecretEvent[] => {
  switch (command.type) {
    case 'PutSecret':
      return putSecret(command, state);
    case 'DeleteSecret':
      return deleteSecret(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${(unknown as { type: string }).type}`);
    }
  }
};

export const putSecret = (command: PutSecret, state: Secret): SecretEvent[] => {
  validateSecretInput(command.data.name);
  const { name, valueId, kekId } = command.data;
  const { actor, now } = command.metadata;
  if (state.status === 'active')
    return [
      {
        type: 'SecretRotated',
        data: {
          name,
          version: state.version + 1,
          valueId,
          kekId,
          rotatedBy: actor,
          rotatedAt: now,
        },
      },
    ];
  const version = state.status === 'deleted' ? state.version + 1 : 1;
  return [{ type: 'SecretSet', data: { name, version, valueId, kekId, setBy: actor, setAt: now } }];
};

export const deleteSecret = (command: DeleteSecret, state: Secret): SecretEvent[] => {
  validateSecretInput(command.data.name);
  if (state.status === 'deleted') return [];
  if (state.status === 'absent') throw new NotFoundError('secret', command.data.name);
  return [
    {
      type: 'SecretDeleted',
      data: {
        name: state.name,
        version: state.version,
        deletedBy: command.metadata.actor,
        deletedAt: command.metadata.now,
      },
    },
  ];
};

export const evolveSecret = (state: Secret, event: SecretEvent): Secret => {
  switch (event.type) {
    case 'SecretSet':
      return {
        status: 'active',
        name: event.data.name,
        version: event.data.version,
        valueId: event.data.valueId,
        kekId: event.data.kekId,
        createdAt: event.data.setAt,
        createdBy: event.data.setBy,
      };
    case 'SecretRotated':
      return state.status !== 'active'
        ? state
        : {
            ...state,
            version: event.data.version,
            valueId: event.data.valueId,
            kekId: event.data.kekId,
            rotatedAt: event.data.rotatedAt,
            rotatedBy: event.data.rotatedBy,
          };
    case 'SecretDeleted':
      return { status: 'deleted', name: event.data.name, version: event.data.version };
    default:
      return state;
  }
};

export const secretDecider = {
  decide: decideSecret,
  evolve: evolveSecret,
  initialState: initialSecret,
} as const;
