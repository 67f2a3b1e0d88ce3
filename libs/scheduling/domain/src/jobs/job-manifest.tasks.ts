import {
  MAX_DELAY_SECONDS,
  MAX_POOL_SLOTS,
  MAX_POOLS_PER_TASK,
  MAX_RETRIES,
  MAX_TASKS,
  MAX_TIMEOUT_SECONDS,
  POOL_KEY,
  TASK_ID,
} from './job-manifest.limits';
import { checkTaskGraph, validateDependsOn, type TaskBranches } from './job-manifest.dag';
import { validateExecutor } from './job-manifest.executors';
import { validateOutcomes } from './job-manifest.outcomes';
import { isObject, isOneOf, oneOf, own, show, type Problems } from './job-manifest.problems';
import {
  TRIGGER_RULES,
  type JobManifestValidationOptions,
  type JobTask,
  type ParameterType,
  type TaskPoolClaim,
  type TaskRetries,
  type TriggerRule,
} from './job-manifest.types';

/** The fields a task may have. */
export const TASK_KEYS = [
  'id',
  'executor',
  'dependsOn',
  'trigger',
  'retries',
  'timeoutSeconds',
  'heartbeatSeconds',
  'pools',
  'outcomes',
] as const;

export const validateTasks = (
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
  const branches: TaskBranches[] = [];
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
  if (p.list.length > before || !checkTaskGraph(value, tasks, branches, p)) return undefined;
  return [...tasks].sort((a, b) => (a.id < b.id ? -1 : 1));
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
