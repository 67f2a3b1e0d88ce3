import { ownValue, ValidationError } from '@trainyard/kernel';
import { parseCron } from '../cron/cron-expression';
import { resolveDstPolicy, type GapPolicy, type OverlapPolicy } from '../time/dst-policy';
import { ZoneResolver } from '../time/zone-resolver';
import { findTaskCycle, formatCycle } from './task-graph';
import { isSecretName, parsePlaceholderRef } from './executors/placeholders';
import {
  parseJsonPointer,
  type HttpExpectation,
  type JsonExpectation,
} from './executors/response-expectation';

/**
 * A job definition as a team keeps it in git (issue 12, item 1): YAML or JSON parsed by the
 * adapter, validated here as a plain object. Every problem is collected and named by its field
 * (`tasks[2].dependsOn[0]`), so a CI run shows them all at once.
 */
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const PARAMETER_TYPES = ['string', 'number', 'boolean', 'secret-ref'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];
export const TRIGGER_RULES = ['all-succeeded', 'any-failed', 'all-done'] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

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

export type CronJobSchedule = {
  readonly cron: string;
  readonly zone: string;
  readonly gap?: GapPolicy;
  readonly overlap?: OverlapPolicy;
};
export type IntervalJobSchedule = { readonly everySeconds: number };
/** Absent: a triggered job, started only on demand. */
export type JobSchedule = CronJobSchedule | IntervalJobSchedule;

/** `secret:<name>`: a reference to a secret by name; the value is never in a manifest. */
export type ParameterValue = string | number | boolean;

export type HttpExecutor = {
  readonly kind: 'http';
  readonly method: HttpMethod;
  readonly url: string;
  /** Values may use `{{secret:name}}` or a secret-ref parameter (the only place besides command env). */
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON; string values may hold `{{param}}` placeholders (no secrets). */
  readonly body?: unknown;
  /** Success: the status (default 2xx) and predicates on the JSON response. */
  readonly expect?: HttpExpectation;
};
export type CommandExecutor = {
  readonly kind: 'command';
  /** A name the operator maps to an absolute path (never a path or a shell). */
  readonly program: string;
  /** One argv element each; placeholders render inside the element (no secrets: argv is visible in `ps`). */
  readonly args: readonly string[];
  /** Extra environment of the otherwise clean environment; values may use secrets. */
  readonly env?: Readonly<Record<string, string>>;
};
export type KafkaExecutor = {
  readonly kind: 'kafka';
  readonly topic: string;
  readonly key?: string;
  readonly payload?: unknown;
};
export type TaskExecutor = HttpExecutor | CommandExecutor | KafkaExecutor;

export type TaskRetries = {
  readonly max: number;
  readonly backoffSeconds: number;
  readonly maxDelaySeconds: number;
  /** Full jitter on each delay (default true): retries of many tasks do not arrive together. */
  readonly jitter?: boolean;
};

/** What a job does when a slot comes due while earlier runs are active (issue 12, item 4). */
export const RUN_OVERLAP_POLICIES = [
  'skip',
  'buffer-one',
  'buffer-all',
  'cancel-older',
  'allow',
] as const;
export type RunOverlapPolicy = (typeof RUN_OVERLAP_POLICIES)[number];
/** Default when absent: `{ maxActiveRuns: 1, overlap: 'skip' }`. */
export type JobConcurrency = {
  readonly maxActiveRuns: number;
  readonly overlap: RunOverlapPolicy;
};

/** A task holds `slots` of the shared pool `pool` (any resource key, e.g. `db:payments`). */
export type TaskPoolClaim = { readonly pool: string; readonly slots: number };

/** The run must finish within this many seconds of its nominal time (issue 12, item 5). */
export type JobSla = { readonly finishWithinSeconds: number };

/** A downstream signal that defers a run's start until the downstream keeps up. */
export type JobBackpressure =
  | {
      readonly kind: 'kafka-lag';
      readonly groupId: string;
      readonly topic: string;
      readonly maxLag: number;
    }
  /** Defers while the endpoint answers 429 or 503. */
  | { readonly kind: 'http-health'; readonly url: string };

export const TASK_OUTCOME_ACTIONS = ['continue', 'skip-downstream', 'stop-run', 'branch'] as const;
export type TaskOutcomeAction = (typeof TASK_OUTCOME_ACTIONS)[number];
/**
 * Branching on a finished task's result (issue 12, item 3): the first rule whose `when` matches
 * decides. `branch` runs only the direct dependents named in `branch`; the other direct dependents
 * are skipped. `skip-downstream` skips everything downstream; `stop-run` ends the run.
 */
export type TaskOutcomeRule = {
  readonly when: {
    readonly exitCodes?: readonly number[];
    readonly httpStatuses?: readonly number[];
    readonly result?: 'succeeded' | 'failed';
  };
  readonly then: TaskOutcomeAction;
  readonly branch?: readonly string[];
};

export type JobTask = {
  readonly id: string;
  readonly executor: TaskExecutor;
  /** Sorted, without duplicates (the order of dependencies means nothing). */
  readonly dependsOn: readonly string[];
  readonly trigger: TriggerRule;
  readonly retries?: TaskRetries;
  readonly timeoutSeconds: number;
  /** A task silent longer than this is failed as lost (and retried); absent: no heartbeat. */
  readonly heartbeatSeconds?: number;
  readonly pools?: readonly TaskPoolClaim[];
  readonly outcomes?: readonly TaskOutcomeRule[];
};

/** A valid manifest, normalised: tasks sorted by id, defaults filled, so its digest is stable. */
export type JobManifest = {
  readonly name: string;
  readonly owner: string;
  readonly criticality: Criticality;
  readonly description?: string;
  readonly schedule?: JobSchedule;
  readonly parameters: Readonly<Record<string, ParameterType>>;
  readonly environments: Readonly<Record<Environment, Readonly<Record<string, ParameterValue>>>>;
  readonly tasks: readonly JobTask[];
  /** Default `{ maxActiveRuns: 1, overlap: 'skip' }`. */
  readonly concurrency?: JobConcurrency;
  /** 0 (lowest) to 100; default 50. Higher first within a team's share. */
  readonly priority?: number;
  /** Slots missed during downtime fire after restart when at most this old; default 0. */
  readonly catchUpSeconds?: number;
  readonly sla?: JobSla;
  /** Each run's start is delayed by a random 0..startJitterSeconds (against thundering herds). */
  readonly startJitterSeconds?: number;
  readonly backpressure?: readonly JobBackpressure[];
  /** Components the job touches: part 1's maintenance windows and freezes pause or block it. */
  readonly components?: readonly string[];
};

export type JobManifestValidation =
  | { readonly ok: true; readonly manifest: JobManifest }
  | { readonly ok: false; readonly problems: readonly ValidationError[] };

export interface JobManifestValidationOptions {
  /** Programs `command` tasks may run; `DEFAULT_COMMAND_PROGRAMS` when absent. */
  readonly commandPrograms?: readonly string[];
}

export const JOB_NAME =
  /^([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z0-9]+(?:-[a-z0-9]+)*)$/;
const SEGMENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TASK_ID = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const PARAMETER_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const SECRET_REF = /^secret:[a-z0-9]+(?:[-_./][a-z0-9]+)*$/;
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]+$/;
const PLACEHOLDER = /\{\{\s*([^}\s]*)\s*\}\}/g;
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
/** A pool key: a resource name, optionally `<kind>:<name>` (`db:payments`, `api.partner-x`). */
export const POOL_KEY = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*(?::[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/;
/** As part 1's components (`component.decide.ts`): what maintenance windows and freezes name. */
const COMPONENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;
const KAFKA_GROUP = /^[a-zA-Z0-9._-]{1,249}$/;

export const MAX_TASKS = 500;
const MAX_TEXT = 2_000;
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;
const MAX_RETRIES = 100;
const MAX_DELAY_SECONDS = 24 * 3600;
export const MAX_ACTIVE_RUNS = 1_000;
export const MAX_POOL_SLOTS = 1_000;
const MAX_CATCH_UP_SECONDS = 31 * 24 * 3600;
const MAX_SLA_SECONDS = 31 * 24 * 3600;
const MAX_START_JITTER_SECONDS = 3600;
const MAX_BACKPRESSURE_SIGNALS = 10;
const MAX_COMPONENTS = 100;
const MAX_POOLS_PER_TASK = 10;
const MAX_OUTCOME_RULES = 20;
const MAX_CODES = 50;

/** Defaults of the optional fields, applied by readers (never written into the manifest, so the digest of a manifest is the digest of what its author wrote). */
export const DEFAULT_JOB_CONCURRENCY: JobConcurrency = { maxActiveRuns: 1, overlap: 'skip' };
export const DEFAULT_JOB_PRIORITY = 50;
export const jobConcurrency = (m: Pick<JobManifest, 'concurrency'>): JobConcurrency =>
  m.concurrency ?? DEFAULT_JOB_CONCURRENCY;
export const jobPriority = (m: Pick<JobManifest, 'priority'>): number =>
  m.priority ?? DEFAULT_JOB_PRIORITY;
export const jobCatchUpSeconds = (m: Pick<JobManifest, 'catchUpSeconds'>): number =>
  m.catchUpSeconds ?? 0;
export const jobStartJitterSeconds = (m: Pick<JobManifest, 'startJitterSeconds'>): number =>
  m.startJitterSeconds ?? 0;
/** Full jitter on retry delays unless the task turns it off. */
export const retryJitter = (r: TaskRetries): boolean => r.jitter ?? true;

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown): string => {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
};
const oneOf = (values: readonly string[]): string => values.join(', ');
const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);
const own = (o: Obj, key: string): unknown => ownValue(o, key);

/**
 * `path.key`, the key quoted as JSON when it is not a plain name (blank, spaces, dots, brackets),
 * so every field named in a problem is visible and unambiguous.
 */
const keyPath = (path: string, key: string): string => {
  const shown = /^[A-Za-z0-9_$-]+$/.test(key) ? key : JSON.stringify(key);
  return path ? `${path}.${shown}` : shown;
};

/** Collects problems; every check adds one sentence naming its field, and never throws. */
class Problems {
  readonly list: ValidationError[] = [];
  add(field: string, message: string): void {
    this.list.push(new ValidationError(field, message));
  }
  /** Refuses keys outside `allowed` (a typo in a manifest must not be silently ignored). */
  unknownKeys(o: Obj, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(o))
      if (!allowed.includes(key)) {
        const field = keyPath(path, key);
        this.add(field, `${field} is not a known field; expected one of ${oneOf(allowed)}.`);
      }
  }
  text(o: Obj, key: string, path: string, required: boolean): string | undefined {
    const value = own(o, key);
    const field = path ? `${path}.${key}` : key;
    if (value === undefined) {
      if (required) this.add(field, `${field} is required.`);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.add(field, `${field} must be a non-empty string; got ${show(value)}.`);
      return undefined;
    }
    if (value.length > MAX_TEXT) {
      this.add(field, `${field} must be at most ${MAX_TEXT} characters long.`);
      return undefined;
    }
    return value;
  }
  integer(
    o: Obj,
    key: string,
    path: string,
    min: number,
    max: number,
    required: boolean,
  ): number | undefined {
    const value = own(o, key);
    const field = path ? `${path}.${key}` : key;
    if (value === undefined) {
      if (required) this.add(field, `${field} is required.`);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(field, `${field} must be a whole number from ${min} to ${max}; got ${show(value)}.`);
      return undefined;
    }
    return value;
  }
}

const TOP_LEVEL = [
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
];

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
  p.unknownKeys(input, TOP_LEVEL, '');
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

const validateConcurrency = (value: unknown, p: Problems): JobConcurrency | undefined => {
  if (value === undefined) return undefined;
  const path = 'concurrency';
  if (!isObject(value)) {
    p.add(path, `${path} must be an object with maxActiveRuns and overlap; got ${show(value)}.`);
    return undefined;
  }
  p.unknownKeys(value, ['maxActiveRuns', 'overlap'], path);
  const maxActiveRuns = p.integer(value, 'maxActiveRuns', path, 1, MAX_ACTIVE_RUNS, true);
  const overlap = own(value, 'overlap');
  if (overlap === undefined) p.add(`${path}.overlap`, `${path}.overlap is required.`);
  else if (!isOneOf(RUN_OVERLAP_POLICIES, overlap))
    p.add(
      `${path}.overlap`,
      `${path}.overlap must be one of ${oneOf(RUN_OVERLAP_POLICIES)}; got ${show(overlap)}.`,
    );
  if (maxActiveRuns === undefined || !isOneOf(RUN_OVERLAP_POLICIES, overlap)) return undefined;
  return { maxActiveRuns, overlap };
};

const validateSla = (value: unknown, p: Problems): JobSla | undefined => {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    p.add('sla', `sla must be an object with finishWithinSeconds; got ${show(value)}.`);
    return undefined;
  }
  p.unknownKeys(value, ['finishWithinSeconds'], 'sla');
  const finishWithinSeconds = p.integer(
    value,
    'finishWithinSeconds',
    'sla',
    1,
    MAX_SLA_SECONDS,
    true,
  );
  return finishWithinSeconds === undefined ? undefined : { finishWithinSeconds };
};

/** An absolute http(s) URL without credentials in it. */
const isHttpUrl = (url: string): boolean => /^https?:\/\//.test(url) && URL.canParse(url);

const validateBackpressure = (value: unknown, p: Problems): JobBackpressure[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    p.add('backpressure', `backpressure must be a list of signals; got ${show(value)}.`);
    return undefined;
  }
  if (value.length > MAX_BACKPRESSURE_SIGNALS) {
    p.add(
      'backpressure',
      `backpressure must hold at most ${MAX_BACKPRESSURE_SIGNALS} signals; got ${value.length}.`,
    );
    return undefined;
  }
  const before = p.list.length;
  const out: JobBackpressure[] = [];
  value.forEach((signal, i) => {
    const path = `backpressure[${i}]`;
    if (!isObject(signal)) {
      p.add(
        path,
        `${path} must be an object with a kind (kafka-lag or http-health); got ${show(signal)}.`,
      );
      return;
    }
    const kind = own(signal, 'kind');
    if (kind === 'kafka-lag') {
      p.unknownKeys(signal, ['kind', 'groupId', 'topic', 'maxLag'], path);
      const groupId = p.text(signal, 'groupId', path, true);
      if (groupId !== undefined && !KAFKA_GROUP.test(groupId))
        p.add(
          `${path}.groupId`,
          `${path}.groupId must be a Kafka consumer group id (letters, digits, dots, underscores, hyphens); got ${show(groupId)}.`,
        );
      const topic = p.text(signal, 'topic', path, true);
      if (topic !== undefined && (topic.length > 249 || !KAFKA_TOPIC.test(topic)))
        p.add(
          `${path}.topic`,
          `${path}.topic must be a Kafka topic name (letters, digits, dots, underscores, hyphens; at most 249); got ${show(topic)}.`,
        );
      const maxLag = p.integer(signal, 'maxLag', path, 0, Number.MAX_SAFE_INTEGER, true);
      if (groupId !== undefined && topic !== undefined && maxLag !== undefined)
        out.push({ kind, groupId, topic, maxLag });
    } else if (kind === 'http-health') {
      p.unknownKeys(signal, ['kind', 'url'], path);
      const url = p.text(signal, 'url', path, true);
      if (url !== undefined && !isHttpUrl(url))
        p.add(
          `${path}.url`,
          `${path}.url must be an absolute http or https URL; got ${show(url)}.`,
        );
      else if (url !== undefined) out.push({ kind, url });
    } else
      p.add(
        `${path}.kind`,
        `${path}.kind must be one of kafka-lag, http-health; got ${show(kind)}.`,
      );
  });
  return p.list.length > before ? undefined : out;
};

const validateComponents = (value: unknown, p: Problems): string[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    p.add('components', `components must be a list of component ids; got ${show(value)}.`);
    return undefined;
  }
  if (value.length > MAX_COMPONENTS) {
    p.add('components', `components must hold at most ${MAX_COMPONENTS} ids; got ${value.length}.`);
    return undefined;
  }
  let ok = true;
  value.forEach((c, i) => {
    if (typeof c !== 'string' || !COMPONENT_ID.test(c)) {
      p.add(
        `components[${i}]`,
        `components[${i}] must be a component id (a letter or digit, then letters, digits and . _ : / -, at most 200); got ${show(c)}.`,
      );
      ok = false;
    }
  });
  // The order of components means nothing: sorted, without duplicates, for a stable digest.
  return ok ? [...new Set(value as string[])].sort() : undefined;
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

const validateSchedule = (value: unknown, p: Problems): JobSchedule | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    p.add(
      'schedule',
      `schedule must be an object with cron and zone, or with everySeconds; got ${show(value)}.`,
    );
    return undefined;
  }
  if (own(value, 'everySeconds') !== undefined) {
    p.unknownKeys(value, ['everySeconds'], 'schedule');
    const everySeconds = p.integer(
      value,
      'everySeconds',
      'schedule',
      1,
      MAX_INTERVAL_SECONDS,
      true,
    );
    return everySeconds === undefined ? undefined : { everySeconds };
  }
  p.unknownKeys(value, ['cron', 'zone', 'gap', 'overlap'], 'schedule');
  const cron = own(value, 'cron');
  const zone = own(value, 'zone');
  const gap = own(value, 'gap');
  const overlap = own(value, 'overlap');
  let everyHour: boolean | undefined;
  try {
    everyHour = parseCron(cron as string).everyHour;
  } catch (error) {
    rethrowAs(error, 'schedule', p);
  }
  try {
    ZoneResolver.for(zone as string, 'schedule.zone');
  } catch (error) {
    rethrowAs(error, '', p);
  }
  let policyOk = true;
  for (const [key, v] of [
    ['gap', gap],
    ['overlap', overlap],
  ] as const)
    if (v !== undefined && typeof v !== 'string') {
      p.add(`schedule.${key}`, `schedule.${key} must be a string; got ${show(v)}.`);
      policyOk = false;
    }
  if (policyOk)
    try {
      resolveDstPolicy(
        { gap: gap as string | undefined, overlap: overlap as string | undefined },
        everyHour ?? false,
      );
    } catch (error) {
      rethrowAs(error, 'schedule', p);
    }
  if (p.list.some((e) => e.field.startsWith('schedule'))) return undefined;
  return {
    cron: parseCron(cron as string).expression,
    zone: zone as string,
    ...(gap === undefined ? {} : { gap: gap as GapPolicy }),
    ...(overlap === undefined ? {} : { overlap: overlap as OverlapPolicy }),
  };
};

/**
 * The `ValidationError` of the reused part-1 checks, each of its violations re-homed under
 * `prefix` (`cron` → `schedule.cron`).
 */
const rethrowAs = (error: unknown, prefix: string, p: Problems): void => {
  if (!(error instanceof ValidationError)) throw error;
  for (const violation of error.violations) {
    const field = prefix ? `${prefix}.${violation.field}` : violation.field;
    const message = violation.message.startsWith(violation.field)
      ? `${field}${violation.message.slice(violation.field.length)}`
      : violation.message;
    p.add(field, /[.!?]$/.test(message) ? message : `${message}.`);
  }
};

const validateParameterTypes = (
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

const validateEnvironments = (
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

const TASK_KEYS = [
  'id',
  'executor',
  'dependsOn',
  'trigger',
  'retries',
  'timeoutSeconds',
  'heartbeatSeconds',
  'pools',
  'outcomes',
];

const validateTasks = (
  value: unknown,
  parameters: Record<string, ParameterType> | undefined,
  options: JobManifestValidationOptions,
  p: Problems,
): JobTask[] | undefined => {
  if (value === undefined) {
    p.add('tasks', 'tasks is required: a job runs at least one task.');
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) {
    p.add('tasks', `tasks must be a non-empty list; got ${show(value)}.`);
    return undefined;
  }
  if (value.length > MAX_TASKS) {
    p.add('tasks', `tasks must hold at most ${MAX_TASKS} tasks; got ${value.length}.`);
    return undefined;
  }
  const before = p.list.length;
  const branches: { index: number; id: string | undefined; outcomes: TaskOutcomeRule[] }[] = [];
  const firstIndex = new Map<string, number>();
  value.forEach((task, i) => {
    if (!isObject(task)) return;
    const id = own(task, 'id');
    if (typeof id === 'string' && TASK_ID.test(id)) {
      if (firstIndex.has(id))
        p.add(
          `tasks[${i}].id`,
          `tasks[${i}].id "${id}" is already the id of tasks[${firstIndex.get(id)}]; task ids are unique.`,
        );
      else firstIndex.set(id, i);
    }
  });
  const tasks: JobTask[] = [];
  value.forEach((task, i) => {
    const path = `tasks[${i}]`;
    if (!isObject(task)) {
      p.add(path, `${path} must be an object; got ${show(task)}.`);
      return;
    }
    p.unknownKeys(task, TASK_KEYS, path);
    const id = p.text(task, 'id', path, true);
    if (id !== undefined && !TASK_ID.test(id))
      p.add(
        `${path}.id`,
        `${path}.id must be lowercase letters and digits separated by single hyphens or underscores; got ${show(id)}.`,
      );
    const executor = validateExecutor(
      own(task, 'executor'),
      `${path}.executor`,
      parameters,
      options,
      p,
    );
    const dependsOn = validateDependsOn(
      own(task, 'dependsOn'),
      `${path}.dependsOn`,
      id,
      firstIndex,
      p,
    );
    const trigger = own(task, 'trigger') ?? 'all-succeeded';
    if (!isOneOf(TRIGGER_RULES, trigger))
      p.add(
        `${path}.trigger`,
        `${path}.trigger must be one of ${oneOf(TRIGGER_RULES)}; got ${show(trigger)}.`,
      );
    const retries = validateRetries(own(task, 'retries'), `${path}.retries`, p);
    const timeoutSeconds = p.integer(task, 'timeoutSeconds', path, 1, MAX_TIMEOUT_SECONDS, true);
    const heartbeatSeconds = p.integer(
      task,
      'heartbeatSeconds',
      path,
      1,
      MAX_TIMEOUT_SECONDS,
      false,
    );
    if (
      heartbeatSeconds !== undefined &&
      timeoutSeconds !== undefined &&
      heartbeatSeconds > timeoutSeconds
    )
      p.add(
        `${path}.heartbeatSeconds`,
        `${path}.heartbeatSeconds must be at most timeoutSeconds (${timeoutSeconds}); got ${heartbeatSeconds}.`,
      );
    const pools = validatePools(own(task, 'pools'), `${path}.pools`, p);
    const outcomes = validateOutcomes(own(task, 'outcomes'), `${path}.outcomes`, executor, p);
    if (outcomes !== undefined) branches.push({ index: i, id, outcomes });
    if (
      id !== undefined &&
      executor !== undefined &&
      dependsOn !== undefined &&
      timeoutSeconds !== undefined
    )
      tasks.push({
        id,
        executor,
        dependsOn,
        trigger: trigger as TriggerRule,
        ...(retries === undefined ? {} : { retries }),
        timeoutSeconds,
        ...(heartbeatSeconds === undefined ? {} : { heartbeatSeconds }),
        ...(pools === undefined ? {} : { pools }),
        ...(outcomes === undefined ? {} : { outcomes }),
      });
  });
  if (p.list.length > before) return undefined;
  // `branch` names direct dependents of its task: only they are chosen between when it finishes.
  for (const { index, id, outcomes } of branches)
    outcomes.forEach((rule, r) =>
      (rule.branch ?? []).forEach((target, b) => {
        const dependent = tasks.find((t) => t.id === target);
        if (dependent === undefined || !dependent.dependsOn.includes(id ?? ''))
          p.add(
            `tasks[${index}].outcomes[${r}].branch[${b}]`,
            `tasks[${index}].outcomes[${r}].branch[${b}] must name a task that depends directly on ${id ?? 'this task'}; got ${show(target)}.`,
          );
      }),
    );
  if (p.list.length > before) return undefined;
  const cycle = findTaskCycle(tasks);
  if (cycle !== undefined) {
    const index = value.findIndex((t) => isObject(t) && own(t, 'id') === cycle[0]);
    p.add(
      `tasks[${index}].dependsOn`,
      `tasks[${index}].dependsOn closes a dependency cycle: ${formatCycle(cycle)}.`,
    );
    return undefined;
  }
  return [...tasks].sort((a, b) => (a.id < b.id ? -1 : 1));
};

const validateDependsOn = (
  value: unknown,
  path: string,
  id: string | undefined,
  known: ReadonlyMap<string, number>,
  p: Problems,
): string[] | undefined => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    p.add(path, `${path} must be a list of task ids; got ${show(value)}.`);
    return undefined;
  }
  let ok = true;
  value.forEach((dep, j) => {
    const field = `${path}[${j}]`;
    if (typeof dep !== 'string') {
      p.add(field, `${field} must be a task id; got ${show(dep)}.`);
      ok = false;
    } else if (!known.has(dep)) {
      p.add(field, `${field} refers to ${show(dep)}, which is not a task of this job.`);
      ok = false;
    } else if (dep === id) {
      p.add(field, `${field} names the task itself, a dependency cycle: ${id} → ${id}.`);
      ok = false;
    }
  });
  return ok ? [...new Set(value as string[])].sort() : undefined;
};

const validateRetries = (value: unknown, path: string, p: Problems): TaskRetries | undefined => {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    p.add(
      path,
      `${path} must be an object with max, backoffSeconds and maxDelaySeconds; got ${show(value)}.`,
    );
    return undefined;
  }
  p.unknownKeys(value, ['max', 'backoffSeconds', 'maxDelaySeconds', 'jitter'], path);
  const jitter = own(value, 'jitter');
  if (jitter !== undefined && typeof jitter !== 'boolean')
    p.add(`${path}.jitter`, `${path}.jitter must be true or false; got ${show(jitter)}.`);
  const max = p.integer(value, 'max', path, 0, MAX_RETRIES, true);
  const backoffSeconds = p.integer(value, 'backoffSeconds', path, 1, MAX_DELAY_SECONDS, true);
  const maxDelaySeconds = p.integer(value, 'maxDelaySeconds', path, 1, MAX_DELAY_SECONDS, true);
  if (max === undefined || backoffSeconds === undefined || maxDelaySeconds === undefined)
    return undefined;
  if (maxDelaySeconds < backoffSeconds) {
    p.add(
      `${path}.maxDelaySeconds`,
      `${path}.maxDelaySeconds must be at least backoffSeconds (${backoffSeconds}); got ${maxDelaySeconds}.`,
    );
    return undefined;
  }
  if (jitter !== undefined && typeof jitter !== 'boolean') return undefined;
  return {
    max,
    backoffSeconds,
    maxDelaySeconds,
    ...(jitter === undefined ? {} : { jitter }),
  };
};

const validatePools = (value: unknown, path: string, p: Problems): TaskPoolClaim[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    p.add(path, `${path} must be a list of { pool, slots }; got ${show(value)}.`);
    return undefined;
  }
  if (value.length > MAX_POOLS_PER_TASK) {
    p.add(path, `${path} must hold at most ${MAX_POOLS_PER_TASK} pools; got ${value.length}.`);
    return undefined;
  }
  const before = p.list.length;
  const out: TaskPoolClaim[] = [];
  const seen = new Map<string, number>();
  value.forEach((claim, j) => {
    const field = `${path}[${j}]`;
    if (!isObject(claim)) {
      p.add(field, `${field} must be an object with pool and slots; got ${show(claim)}.`);
      return;
    }
    p.unknownKeys(claim, ['pool', 'slots'], field);
    const pool = p.text(claim, 'pool', field, true);
    if (pool !== undefined && (pool.length > 200 || !POOL_KEY.test(pool)))
      p.add(
        `${field}.pool`,
        `${field}.pool must be a pool key such as db:payments (lowercase letters and digits separated by - _ or ., optionally <kind>:<name>); got ${show(pool)}.`,
      );
    else if (pool !== undefined && seen.has(pool))
      p.add(
        `${field}.pool`,
        `${field}.pool ${pool} is already claimed by ${path}[${seen.get(pool)}]; claim a pool once with all its slots.`,
      );
    else if (pool !== undefined) seen.set(pool, j);
    const slots = p.integer(claim, 'slots', field, 1, MAX_POOL_SLOTS, true);
    if (pool !== undefined && slots !== undefined) out.push({ pool, slots });
  });
  if (p.list.length > before) return undefined;
  // Acquired all or none, in pool order: the order written means nothing.
  return out.sort((a, b) => (a.pool < b.pool ? -1 : 1));
};

const validateCodes = (
  value: unknown,
  field: string,
  min: number,
  max: number,
  what: string,
  p: Problems,
): number[] | undefined => {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CODES) {
    p.add(
      field,
      `${field} must be a non-empty list of at most ${MAX_CODES} ${what}; got ${show(value)}.`,
    );
    return undefined;
  }
  let ok = true;
  value.forEach((code, k) => {
    if (typeof code !== 'number' || !Number.isInteger(code) || code < min || code > max) {
      p.add(
        `${field}[${k}]`,
        `${field}[${k}] must be a whole number from ${min} to ${max}; got ${show(code)}.`,
      );
      ok = false;
    }
  });
  return ok ? [...new Set(value as number[])].sort((a, b) => a - b) : undefined;
};

const validateOutcomes = (
  value: unknown,
  path: string,
  executor: TaskExecutor | undefined,
  p: Problems,
): TaskOutcomeRule[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    p.add(path, `${path} must be a non-empty list of { when, then } rules; got ${show(value)}.`);
    return undefined;
  }
  if (value.length > MAX_OUTCOME_RULES) {
    p.add(path, `${path} must hold at most ${MAX_OUTCOME_RULES} rules; got ${value.length}.`);
    return undefined;
  }
  const before = p.list.length;
  const out: TaskOutcomeRule[] = [];
  value.forEach((rule, r) => {
    const field = `${path}[${r}]`;
    if (!isObject(rule)) {
      p.add(field, `${field} must be an object with when and then; got ${show(rule)}.`);
      return;
    }
    p.unknownKeys(rule, ['when', 'then', 'branch'], field);
    const when = own(rule, 'when');
    const whenPath = `${field}.when`;
    let condition: TaskOutcomeRule['when'] | undefined;
    if (when === undefined) p.add(whenPath, `${whenPath} is required.`);
    else if (!isObject(when))
      p.add(
        whenPath,
        `${whenPath} must be an object with exitCodes, httpStatuses or result; got ${show(when)}.`,
      );
    else {
      p.unknownKeys(when, ['exitCodes', 'httpStatuses', 'result'], whenPath);
      const exit = own(when, 'exitCodes');
      const http = own(when, 'httpStatuses');
      const result = own(when, 'result');
      const exitCodes =
        exit === undefined
          ? undefined
          : validateCodes(exit, `${whenPath}.exitCodes`, 0, 255, 'exit codes', p);
      const httpStatuses =
        http === undefined
          ? undefined
          : validateCodes(http, `${whenPath}.httpStatuses`, 100, 599, 'HTTP statuses', p);
      if (exit !== undefined && executor !== undefined && executor.kind !== 'command')
        p.add(
          `${whenPath}.exitCodes`,
          `${whenPath}.exitCodes applies to command tasks only; this task's executor is ${executor.kind}.`,
        );
      if (http !== undefined && executor !== undefined && executor.kind !== 'http')
        p.add(
          `${whenPath}.httpStatuses`,
          `${whenPath}.httpStatuses applies to http tasks only; this task's executor is ${executor.kind}.`,
        );
      if (result !== undefined && result !== 'succeeded' && result !== 'failed')
        p.add(
          `${whenPath}.result`,
          `${whenPath}.result must be one of succeeded, failed; got ${show(result)}.`,
        );
      if (exit === undefined && http === undefined && result === undefined)
        p.add(whenPath, `${whenPath} must name at least one of exitCodes, httpStatuses, result.`);
      condition = {
        ...(exitCodes === undefined ? {} : { exitCodes }),
        ...(httpStatuses === undefined ? {} : { httpStatuses }),
        ...(result === 'succeeded' || result === 'failed' ? { result } : {}),
      };
    }
    const then = own(rule, 'then');
    if (then === undefined) p.add(`${field}.then`, `${field}.then is required.`);
    else if (!isOneOf(TASK_OUTCOME_ACTIONS, then))
      p.add(
        `${field}.then`,
        `${field}.then must be one of ${oneOf(TASK_OUTCOME_ACTIONS)}; got ${show(then)}.`,
      );
    const branch = own(rule, 'branch');
    let targets: string[] | undefined;
    if (then === 'branch') {
      if (
        !Array.isArray(branch) ||
        branch.length === 0 ||
        branch.length > MAX_TASKS ||
        !branch.every((b) => typeof b === 'string')
      )
        p.add(
          `${field}.branch`,
          `${field}.branch must be a non-empty list of task ids when then is branch; got ${show(branch)}.`,
        );
      else targets = [...new Set(branch)].sort();
    } else if (branch !== undefined)
      p.add(`${field}.branch`, `${field}.branch is only allowed when then is branch.`);
    if (condition !== undefined && isOneOf(TASK_OUTCOME_ACTIONS, then))
      out.push({ when: condition, then, ...(targets === undefined ? {} : { branch: targets }) });
  });
  // The first matching rule decides, so their order is kept as written.
  return p.list.length > before ? undefined : out;
};

const validateExecutor = (
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

/**
 * An executor template's placeholders: each names a declared parameter, or (where `allowSecrets`,
 * i.e. HTTP headers and command env) a secret `{{secret:name}}` or a secret-ref parameter.
 * Elsewhere (URL, argv, body, Kafka) a secret would leak into logs, `ps` or a message: refused.
 */
const checkTemplate = (
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

const MAX_JSON_DEPTH = 32;

/** Placeholders in every string of a JSON template (HTTP body, Kafka payload); no secrets. */
const checkJsonTemplate = (
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

const JSON_PREDICATES = ['equals', 'oneOf', 'exists'] as const;

const isJsonValue = (value: unknown, depth = 0): boolean => {
  if (depth > MAX_JSON_DEPTH) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (isObject(value)) return Object.values(value).every((v) => isJsonValue(v, depth + 1));
  return false;
};

const validateHttpExpectation = (
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
