import type { ValidationError } from '@trainyard/kernel';
import type { GapPolicy, OverlapPolicy } from '../time/dst-policy';
import type { HttpExpectation } from './executors/response-expectation';

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
