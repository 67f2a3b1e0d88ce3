import { MAX_CODES, MAX_OUTCOME_RULES, MAX_TASKS } from './job-manifest.limits';
import { isObject, isOneOf, oneOf, own, show, type Problems } from './job-manifest.problems';
import {
  TASK_OUTCOME_ACTIONS,
  type TaskExecutor,
  type TaskOutcomeRule,
} from './job-manifest.types';

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

export const validateOutcomes = (
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
