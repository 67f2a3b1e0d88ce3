import { HEADER_NAME, KAFKA_TOPIC, MAX_TEXT, PLACEHOLDER } from './job-manifest.limits';
import { validateHttpExpectation } from './job-manifest.http-expectation';
import { isObject, isOneOf, oneOf, own, show, type Problems } from './job-manifest.problems';
import { checkJsonTemplate, checkTemplate } from './job-manifest.templates';
import {
  HTTP_METHODS,
  type HttpMethod,
  type JobManifestValidationOptions,
  type ParameterType,
  type TaskExecutor,
} from './job-manifest.types';

/**
 * Programs a `command` task may name when the caller gives no allowlist of its own: the operator
 * installs them; a manifest never names a path or a shell.
 */
export const DEFAULT_COMMAND_PROGRAMS: readonly string[] = [
  'ledger-export',
  'ledger-close',
  'report-render',
  'db-vacuum',
  'file-archive',
];

export const validateExecutor = (
  value: unknown,
  path: string,
  parameters: Record<string, ParameterType> | undefined,
  options: JobManifestValidationOptions,
  p: Problems,
): TaskExecutor | undefined => {
  if (value === undefined) {
    p.add(path, `${path} is required.`);
    return undefined;
  }
  if (!isObject(value)) {
    p.add(
      path,
      `${path} must be an object with a kind (http, command or kafka); got ${show(value)}.`,
    );
    return undefined;
  }
  const kind = own(value, 'kind');
  const before = p.list.length;
  switch (kind) {
    case 'http': {
      p.unknownKeys(value, ['kind', 'method', 'url', 'headers', 'body', 'expect'], path);
      const method = own(value, 'method');
      if (!isOneOf(HTTP_METHODS, method))
        p.add(
          `${path}.method`,
          `${path}.method must be one of ${oneOf(HTTP_METHODS)}; got ${show(method)}.`,
        );
      const url = p.text(value, 'url', path, true);
      if (url !== undefined) {
        const bare = url.replace(PLACEHOLDER, 'x');
        if (!/^https?:\/\//.test(bare) || !URL.canParse(bare))
          p.add(
            `${path}.url`,
            `${path}.url must be an absolute http or https URL; got ${show(url)}.`,
          );
        else if (!/^https?:\/\/[^/?#{}]+(?:[/?#]|$)/.test(url))
          p.add(
            `${path}.url`,
            `${path}.url must name its origin literally: placeholders may appear only in the path and query; got ${show(url)}.`,
          );
        checkTemplate(url, `${path}.url`, parameters, false, p);
      }
      const headers = own(value, 'headers');
      if (headers !== undefined) {
        if (!isObject(headers))
          p.add(
            `${path}.headers`,
            `${path}.headers must map header names to values; got ${show(headers)}.`,
          );
        else
          for (const [h, v] of Object.entries(headers)) {
            const field = `${path}.headers.${h}`;
            if (!HEADER_NAME.test(h)) p.add(field, `${field} is not a valid header name.`);
            else if (typeof v !== 'string' || v.length > MAX_TEXT)
              p.add(field, `${field} must be a string; got ${show(v)}.`);
            else checkTemplate(v, field, parameters, true, p);
          }
      }
      checkJsonTemplate(own(value, 'body'), `${path}.body`, parameters, p, 0);
      const expect = validateHttpExpectation(own(value, 'expect'), `${path}.expect`, p);
      if (p.list.length > before) return undefined;
      return {
        kind,
        method: method as HttpMethod,
        url: url as string,
        ...(headers === undefined ? {} : { headers: headers as Record<string, string> }),
        ...(own(value, 'body') === undefined ? {} : { body: own(value, 'body') }),
        ...(expect === undefined ? {} : { expect }),
      };
    }
    case 'command': {
      p.unknownKeys(value, ['kind', 'program', 'args', 'env'], path);
      const programs = options.commandPrograms ?? DEFAULT_COMMAND_PROGRAMS;
      const program = p.text(value, 'program', path, true);
      if (program !== undefined && !programs.includes(program))
        p.add(
          `${path}.program`,
          `${path}.program must name an allowed program (${oneOf(programs)}); got ${show(program)}.`,
        );
      const args = own(value, 'args') ?? [];
      if (!Array.isArray(args))
        p.add(
          `${path}.args`,
          `${path}.args must be a list of strings (no shell is involved); got ${show(args)}.`,
        );
      else
        args.forEach((arg, j) => {
          const field = `${path}.args[${j}]`;
          if (typeof arg !== 'string' || arg.length > MAX_TEXT)
            p.add(field, `${field} must be a string; got ${show(arg)}.`);
          else checkTemplate(arg, field, parameters, false, p);
        });
      const env = validateCommandEnv(own(value, 'env'), `${path}.env`, parameters, p);
      if (p.list.length > before) return undefined;
      return {
        kind,
        program: program as string,
        args: args as string[],
        ...(env === undefined ? {} : { env }),
      };
    }
    case 'kafka': {
      p.unknownKeys(value, ['kind', 'topic', 'key', 'payload'], path);
      const topic = p.text(value, 'topic', path, true);
      if (topic !== undefined && (topic.length > 249 || !KAFKA_TOPIC.test(topic)))
        p.add(
          `${path}.topic`,
          `${path}.topic must be a Kafka topic name (letters, digits, dots, underscores, hyphens; at most 249); got ${show(topic)}.`,
        );
      const key = p.text(value, 'key', path, false);
      if (key !== undefined) checkTemplate(key, `${path}.key`, parameters, false, p);
      checkJsonTemplate(own(value, 'payload'), `${path}.payload`, parameters, p, 0);
      if (p.list.length > before) return undefined;
      return {
        kind,
        topic: topic as string,
        ...(key === undefined ? {} : { key }),
        ...(own(value, 'payload') === undefined ? {} : { payload: own(value, 'payload') }),
      };
    }
    default:
      p.add(`${path}.kind`, `${path}.kind must be one of http, command, kafka; got ${show(kind)}.`);
      return undefined;
  }
};

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** Set by the executor itself, or able to change what runs (loader, interpreter options). */
const RESERVED_ENV =
  /^(TRAINYARD_|LD_|DYLD_)|^(PATH|HOME|IFS|NODE_OPTIONS|PYTHONPATH|PERL5LIB|BASH_ENV|ENV)$/;

const validateCommandEnv = (
  value: unknown,
  path: string,
  parameters: Record<string, ParameterType> | undefined,
  p: Problems,
): Record<string, string> | undefined => {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    p.add(path, `${path} must map variable names to values; got ${show(value)}.`);
    return undefined;
  }
  for (const [name, v] of Object.entries(value)) {
    const field = `${path}.${name}`;
    if (!ENV_NAME.test(name) || name.length > 100)
      p.add(
        field,
        `${field} is not a valid variable name (upper-case letters, digits, underscores).`,
      );
    else if (RESERVED_ENV.test(name))
      p.add(field, `${field} is reserved: the executor sets it or it changes what runs.`);
    else if (typeof v !== 'string' || v.length > MAX_TEXT)
      p.add(field, `${field} must be a string; got ${show(v)}.`);
    else checkTemplate(v, field, parameters, true, p);
  }
  return value as Record<string, string>;
};
