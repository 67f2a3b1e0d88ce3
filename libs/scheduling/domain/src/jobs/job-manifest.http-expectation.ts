import {
  parseJsonPointer,
  type HttpExpectation,
  type JsonExpectation,
} from './executors/response-expectation';
import { MAX_JSON_DEPTH, MAX_TEXT } from './job-manifest.limits';
import { isObject, oneOf, own, show, type Problems } from './job-manifest.problems';

const JSON_PREDICATES = ['equals', 'oneOf', 'exists'] as const;

const isJsonValue = (value: unknown, depth = 0): boolean => {
  if (depth > MAX_JSON_DEPTH) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (isObject(value)) return Object.values(value).every((v) => isJsonValue(v, depth + 1));
  return false;
};

export const validateHttpExpectation = (
  value: unknown,
  path: string,
  p: Problems,
): HttpExpectation | undefined => {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    p.add(path, `${path} must be an object with statuses and/or json; got ${show(value)}.`);
    return undefined;
  }
  p.unknownKeys(value, ['statuses', 'json'], path);
  const statuses = own(value, 'statuses');
  if (statuses !== undefined) {
    if (!Array.isArray(statuses) || statuses.length === 0)
      p.add(
        `${path}.statuses`,
        `${path}.statuses must be a non-empty list of HTTP statuses; got ${show(statuses)}.`,
      );
    else
      statuses.forEach((status, i) => {
        if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
          p.add(
            `${path}.statuses[${i}]`,
            `${path}.statuses[${i}] must be an HTTP status from 100 to 599; got ${show(status)}.`,
          );
      });
  }
  const json = own(value, 'json');
  const out: JsonExpectation[] = [];
  if (json !== undefined) {
    if (!Array.isArray(json) || json.length === 0 || json.length > 50)
      p.add(
        `${path}.json`,
        `${path}.json must be a list of 1 to 50 predicates; got ${show(json)}.`,
      );
    else
      json.forEach((predicate, i) => {
        const field = `${path}.json[${i}]`;
        if (!isObject(predicate)) {
          p.add(
            field,
            `${field} must be an object with path and one of ${oneOf(JSON_PREDICATES)}; got ${show(predicate)}.`,
          );
          return;
        }
        p.unknownKeys(predicate, ['path', ...JSON_PREDICATES], field);
        const pointer = own(predicate, 'path');
        if (
          typeof pointer !== 'string' ||
          pointer.length > MAX_TEXT ||
          parseJsonPointer(pointer) === undefined
        )
          p.add(
            `${field}.path`,
            `${field}.path must be a JSON pointer such as "/status" (RFC 6901); got ${show(pointer)}.`,
          );
        const given = JSON_PREDICATES.filter((k) => own(predicate, k) !== undefined);
        if (given.length !== 1) {
          p.add(
            field,
            `${field} must have exactly one of ${oneOf(JSON_PREDICATES)}; got ${given.length}.`,
          );
          return;
        }
        const kind = given[0] as (typeof JSON_PREDICATES)[number];
        const v = own(predicate, kind);
        if (kind === 'exists' && typeof v !== 'boolean')
          p.add(`${field}.exists`, `${field}.exists must be true or false; got ${show(v)}.`);
        else if (kind === 'oneOf' && (!Array.isArray(v) || v.length === 0 || !isJsonValue(v)))
          p.add(
            `${field}.oneOf`,
            `${field}.oneOf must be a non-empty list of JSON values; got ${show(v)}.`,
          );
        else if (kind === 'equals' && !isJsonValue(v))
          p.add(`${field}.equals`, `${field}.equals must be a JSON value; got ${show(v)}.`);
        else if (typeof pointer === 'string')
          out.push({ path: pointer, [kind]: v } as JsonExpectation);
      });
  }
  return {
    ...(statuses === undefined ? {} : { statuses: statuses as number[] }),
    ...(json === undefined ? {} : { json: out }),
  };
};
