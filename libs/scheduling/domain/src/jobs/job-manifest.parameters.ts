import { MAX_TEXT, PARAMETER_NAME, SECRET_REF } from './job-manifest.limits';
import {
  isObject,
  isOneOf,
  keyPath,
  oneOf,
  own,
  show,
  type Problems,
} from './job-manifest.problems';
import {
  ENVIRONMENTS,
  PARAMETER_TYPES,
  type Environment,
  type ParameterType,
  type ParameterValue,
} from './job-manifest.types';

export const validateParameterTypes = (
  value: unknown,
  p: Problems,
): Record<string, ParameterType> | undefined => {
  if (value === undefined) return {};
  if (!isObject(value)) {
    p.add('parameters', `parameters must map each parameter name to its type; got ${show(value)}.`);
    return undefined;
  }
  const out: Record<string, ParameterType> = {};
  let ok = true;
  for (const [key, type] of Object.entries(value)) {
    const field = keyPath('parameters', key);
    if (!PARAMETER_NAME.test(key)) {
      p.add(
        field,
        `${field} is not a valid parameter name (a letter, then letters, digits or underscores).`,
      );
      ok = false;
    } else if (!isOneOf(PARAMETER_TYPES, type)) {
      p.add(field, `${field} must be one of ${oneOf(PARAMETER_TYPES)}; got ${show(type)}.`);
      ok = false;
    } else out[key] = type;
  }
  return ok ? out : undefined;
};

const matchesType = (type: ParameterType, value: unknown): boolean => {
  switch (type) {
    case 'string':
      return typeof value === 'string' && value.length <= MAX_TEXT;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'secret-ref':
      return typeof value === 'string' && value.length <= 200 && SECRET_REF.test(value);
  }
};

const typeDescription = (type: ParameterType): string =>
  type === 'secret-ref' ? 'a secret reference such as "secret:ledger-token"' : `a ${type}`;

export const validateEnvironments = (
  value: unknown,
  parameters: Record<string, ParameterType> | undefined,
  p: Problems,
): Record<Environment, Record<string, ParameterValue>> | undefined => {
  if (value === undefined) {
    p.add('environments', `environments is required and must declare ${oneOf(ENVIRONMENTS)}.`);
    return undefined;
  }
  if (!isObject(value)) {
    p.add(
      'environments',
      `environments must be an object declaring ${oneOf(ENVIRONMENTS)}; got ${show(value)}.`,
    );
    return undefined;
  }
  p.unknownKeys(value, ENVIRONMENTS, 'environments');
  const out: Partial<Record<Environment, Record<string, ParameterValue>>> = {};
  for (const env of ENVIRONMENTS) {
    const path = `environments.${env}`;
    const values = own(value, env);
    if (values === undefined) {
      p.add(
        path,
        `${path} is required (every job declares dev, staging and prod; use {} for none).`,
      );
      continue;
    }
    if (values !== null && !isObject(values)) {
      p.add(path, `${path} must map parameter names to values; got ${show(values)}.`);
      continue;
    }
    const given = values ?? {};
    const env_: Record<string, ParameterValue> = {};
    for (const [key, v] of Object.entries(given)) {
      const field = keyPath(path, key);
      const type = parameters?.[key];
      if (parameters === undefined) continue;
      if (type === undefined || !Object.prototype.hasOwnProperty.call(parameters, key))
        p.add(field, `${field} is not a declared parameter; declare it under parameters first.`);
      else if (!matchesType(type, v))
        p.add(field, `${field} must be ${typeDescription(type)}; got ${show(v)}.`);
      else env_[key] = v as ParameterValue;
    }
    for (const key of Object.keys(parameters ?? {}))
      if (own(given, key) === undefined)
        p.add(
          `${path}.${key}`,
          `${path}.${key} is required: every declared parameter has a value in every environment.`,
        );
    out[env] = env_;
  }
  return out as Record<Environment, Record<string, ParameterValue>>;
};
