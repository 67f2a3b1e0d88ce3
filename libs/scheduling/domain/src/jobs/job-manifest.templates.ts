import { isSecretName, parsePlaceholderRef } from './executors/placeholders';
import { MAX_JSON_DEPTH, PLACEHOLDER } from './job-manifest.limits';
import { isObject, type Problems } from './job-manifest.problems';
import type { ParameterType } from './job-manifest.types';

/**
 * An executor template's placeholders: each names a declared parameter, or (where `allowSecrets`,
 * i.e. HTTP headers and command env) a secret `{{secret:name}}` or a secret-ref parameter.
 * Elsewhere (URL, argv, body, Kafka) a secret would leak into logs, `ps` or a message: refused.
 */
export const checkTemplate = (
  text: string,
  field: string,
  parameters: Record<string, ParameterType> | undefined,
  allowSecrets: boolean,
  p: Problems,
): void => {
  if (parameters === undefined) return;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const raw = match[1] ?? '';
    const ref = parsePlaceholderRef(raw);
    if (ref.kind === 'secret') {
      if (!allowSecrets)
        p.add(
          field,
          `${field} may not use the secret {{${raw}}}: secrets go only into HTTP headers or command env.`,
        );
      else if (!isSecretName(ref.name))
        p.add(
          field,
          `${field} refers to {{${raw}}}, which is not a valid secret name (lowercase letters, digits, single - _ . /).`,
        );
    } else if (!Object.prototype.hasOwnProperty.call(parameters, ref.name))
      p.add(field, `${field} refers to {{${raw}}}, which is not a declared parameter.`);
    else if (parameters[ref.name] === 'secret-ref' && !allowSecrets)
      p.add(
        field,
        `${field} may not use the secret-ref parameter {{${raw}}}: secrets go only into HTTP headers or command env.`,
      );
  }
};

/** Placeholders in every string of a JSON template (HTTP body, Kafka payload); no secrets. */
export const checkJsonTemplate = (
  value: unknown,
  field: string,
  parameters: Record<string, ParameterType> | undefined,
  p: Problems,
  depth: number,
): void => {
  if (depth > MAX_JSON_DEPTH) {
    p.add(field, `${field} is nested deeper than ${MAX_JSON_DEPTH} levels.`);
    return;
  }
  if (typeof value === 'string') checkTemplate(value, field, parameters, false, p);
  else if (Array.isArray(value))
    value.forEach((item, i) => checkJsonTemplate(item, `${field}[${i}]`, parameters, p, depth + 1));
  else if (isObject(value))
    for (const [k, v] of Object.entries(value))
      checkJsonTemplate(v, `${field}.${k}`, parameters, p, depth + 1);
  else if (typeof value === 'number' && !Number.isFinite(value))
    p.add(field, `${field} must be a finite number.`);
};
