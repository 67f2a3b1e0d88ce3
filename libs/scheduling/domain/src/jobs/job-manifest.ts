import { isObject, isOneOf, oneOf, own, Problems, show, type Obj } from './job-manifest.problems';
import {
  JOB_NAME,
  MAX_CATCH_UP_SECONDS,
  MAX_START_JITTER_SECONDS,
  SEGMENT,
} from './job-manifest.limits';
import { validateEnvironments, validateParameterTypes } from './job-manifest.parameters';
import {
  validateBackpressure,
  validateComponents,
  validateConcurrency,
  validateSla,
} from './job-manifest.run-policies';
import { validateSchedule } from './job-manifest.schedule';
import { validateTasks } from './job-manifest.tasks';
import {
  CRITICALITIES,
  type Criticality,
  type JobManifest,
  type JobManifestValidation,
  type JobManifestValidationOptions,
} from './job-manifest.types';

export * from './job-manifest.types';
export * from './job-manifest.defaults';
export { DEFAULT_COMMAND_PROGRAMS } from './job-manifest.executors';
export {
  JOB_NAME,
  MAX_ACTIVE_RUNS,
  MAX_POOL_SLOTS,
  MAX_TASKS,
  POOL_KEY,
} from './job-manifest.limits';

/** The fields a manifest may have at its top level. */
export const MANIFEST_KEYS = [
  'name',
  'owner',
  'criticality',
  'description',
  'schedule',
  'parameters',
  'environments',
  'tasks',
  'concurrency',
  'priority',
  'catchUpSeconds',
  'sla',
  'startJitterSeconds',
  'backpressure',
  'components',
] as const;

/**
 * `input` (parsed YAML or JSON) → the normalised manifest, or every problem found, each a
 * `ValidationError` naming its field. Never throws, whatever `input` is.
 */
export const validateJobManifest = (
  input: unknown,
  options: JobManifestValidationOptions = {},
): JobManifestValidation => {
  const p = new Problems();
  if (!isObject(input)) {
    p.add('(root)', `A job manifest must be an object; got ${show(input)}.`);
    return { ok: false, problems: p.list };
  }
  p.unknownKeys(input, MANIFEST_KEYS, '');
  const name = validateName(input, p);
  const owner = p.text(input, 'owner', '', true);
  if (owner !== undefined && !SEGMENT.test(owner))
    p.add(
      'owner',
      `owner must be a team name of lowercase letters, digits and hyphens; got ${show(owner)}.`,
    );
  else if (owner !== undefined && name !== undefined && owner !== name.split('.')[0])
    p.add(
      'owner',
      `owner must be the team the name starts with (${name.split('.')[0]}); got ${show(owner)}.`,
    );
  const criticality = own(input, 'criticality');
  if (criticality === undefined) p.add('criticality', 'criticality is required.');
  else if (!isOneOf(CRITICALITIES, criticality))
    p.add(
      'criticality',
      `criticality must be one of ${oneOf(CRITICALITIES)}; got ${show(criticality)}.`,
    );
  const description = p.text(input, 'description', '', false);
  const schedule = validateSchedule(own(input, 'schedule'), p);
  const parameters = validateParameterTypes(own(input, 'parameters'), p);
  const environments = validateEnvironments(own(input, 'environments'), parameters, p);
  const tasks = validateTasks(own(input, 'tasks'), parameters, options, p);
  const concurrency = validateConcurrency(own(input, 'concurrency'), p);
  const priority = p.integer(input, 'priority', '', 0, 100, false);
  const catchUpSeconds = p.integer(input, 'catchUpSeconds', '', 0, MAX_CATCH_UP_SECONDS, false);
  const sla = validateSla(own(input, 'sla'), p);
  const startJitterSeconds = p.integer(
    input,
    'startJitterSeconds',
    '',
    0,
    MAX_START_JITTER_SECONDS,
    false,
  );
  const backpressure = validateBackpressure(own(input, 'backpressure'), p);
  const components = validateComponents(own(input, 'components'), p);
  if (p.list.length > 0) return { ok: false, problems: p.list };
  return {
    ok: true,
    manifest: {
      name: name as string,
      owner: owner as string,
      criticality: criticality as Criticality,
      ...(description === undefined ? {} : { description }),
      ...(schedule === undefined ? {} : { schedule }),
      parameters: parameters ?? {},
      environments: environments as JobManifest['environments'],
      tasks: tasks ?? [],
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(priority === undefined ? {} : { priority }),
      ...(catchUpSeconds === undefined ? {} : { catchUpSeconds }),
      ...(sla === undefined ? {} : { sla }),
      ...(startJitterSeconds === undefined ? {} : { startJitterSeconds }),
      ...(backpressure === undefined ? {} : { backpressure }),
      ...(components === undefined ? {} : { components }),
    },
  };
};

const validateName = (input: Obj, p: Problems): string | undefined => {
  const name = p.text(input, 'name', '', true);
  if (name === undefined) return undefined;
  if (!JOB_NAME.test(name)) {
    p.add(
      'name',
      `name must follow <team>.<system>.<job>, each part lowercase letters, digits and single hyphens; got ${show(name)}.`,
    );
    return undefined;
  }
  return name;
};
