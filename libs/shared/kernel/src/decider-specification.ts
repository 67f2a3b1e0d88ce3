import type { Command, DomainEvent } from './command';
import type { Decider } from './decider';

/**
 * Given/when/then for deciders, the one way domain specs state a behaviour:
 *
 *   const spec = DeciderSpecification.for(workloadDecider, context);
 *   spec.given([registered]).when(plan).then([planned]);
 *   spec.given([registered, planned]).when(plan).thenNothingHappened();
 *   spec.given([]).when(plan).thenThrows(RuleViolation, { rule: 'workload-registered' });
 *
 * Givens are literal events folded with the decider's own `evolve`, so a change to one command
 * does not shift the state every later test starts from. It knows no test runner: a failed
 * expectation throws a `SpecificationFailure` whose message shows what was expected and what came.
 */
export const DeciderSpecification = {
  for<S, C extends Command, E extends DomainEvent, Ctx>(
    decider: Decider<S, C, E, Ctx>,
    ...context: undefined extends Ctx ? [context?: Ctx] : [context: Ctx]
  ): (events: readonly E[]) => Given<C, E, Ctx> {
    return (events) => ({
      when: (command, ...override) => {
        const state = events.reduce(decider.evolve, decider.initialState());
        const ctx = (override.length > 0 ? override[0] : context[0]) as Ctx;
        return thenOf<E>(() => decider.decide(command, state, ctx));
      },
    });
  },
};

export interface Given<C extends Command, E extends DomainEvent, Ctx> {
  /** Decides `command` on the state folded from the given events; `context` replaces the spec's. */
  when(command: C, ...context: [context?: Ctx]): Then<E>;
}

/** A class of error, abstract ones included (`DomainError`). */
export type ErrorClass<T extends Error> = abstract new (...args: never[]) => T;

export interface Then<E extends DomainEvent> {
  /** The decided events equal `expected` (as `toEqual`: absent and `undefined` properties match). */
  then(expected: readonly E[]): void;
  /** The decided events pass `check` (a test runner's assertions on a part of them). */
  thenEvents(check: (events: readonly E[]) => void): void;
  /** Nothing to do: the decider returned `[]` (an idempotent retry). */
  thenNothingHappened(): void;
  /**
   * The decider threw an instance of `errorClass` whose properties include `expected`
   * (`{ rule }`, `{ field }`, `{ message }`…), or that passes `check`.
   */
  thenThrows<T extends Error>(
    errorClass: ErrorClass<T>,
    expected?: Partial<Pick<T, Exclude<keyof T, 'stack'>>> | ((error: T) => void),
  ): void;
}

/** A decider specification that did not hold. */
export class SpecificationFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecificationFailure';
  }
}

const thenOf = <E extends DomainEvent>(decide: () => readonly E[]): Then<E> => {
  const decided = (expectation: string): readonly E[] => {
    try {
      return decide();
    } catch (error) {
      throw new SpecificationFailure(
        `expected ${expectation}, but decide threw ${describeError(error)}`,
      );
    }
  };
  return {
    then(expected) {
      const actual = decided(`events ${show(expected)}`);
      const difference = firstDifference(expected, actual, '');
      if (difference !== undefined)
        throw new SpecificationFailure(
          `decided events differ at ${difference || '(root)'}\nexpected: ${show(expected)}\nactual:   ${show(actual)}`,
        );
    },
    thenEvents(check) {
      check(decided('events'));
    },
    thenNothingHappened() {
      const actual = decided('nothing to happen');
      if (actual.length > 0)
        throw new SpecificationFailure(`expected nothing to happen, but decided ${show(actual)}`);
    },
    thenThrows(errorClass, expected) {
      let events: readonly E[];
      try {
        events = decide();
      } catch (error) {
        if (!(error instanceof errorClass))
          throw new SpecificationFailure(
            `expected ${errorClass.name}, but decide threw ${describeError(error)}`,
          );
        if (typeof expected === 'function') expected(error);
        else if (expected !== undefined) {
          for (const [key, value] of Object.entries(expected)) {
            const difference = firstDifference(
              value,
              (error as unknown as Record<string, unknown>)[key],
              key,
            );
            if (difference !== undefined)
              throw new SpecificationFailure(
                `${errorClass.name} differs at ${difference}: expected ${show(value)}, got ${describeError(error)}`,
              );
          }
        }
        return;
      }
      throw new SpecificationFailure(
        `expected ${errorClass.name}, but decide returned ${show(events)}`,
      );
    },
  };
};

/** The path of the first difference between two JSON-like values, or undefined when they are equal. */
const firstDifference = (expected: unknown, actual: unknown, path: string): string | undefined => {
  if (Object.is(expected, actual)) return undefined;
  if (
    typeof expected !== 'object' ||
    typeof actual !== 'object' ||
    expected === null ||
    actual === null
  )
    return path;
  if (Array.isArray(expected) !== Array.isArray(actual)) return path;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return `${path}.length`;
    for (let i = 0; i < expected.length; i++) {
      const difference = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
  for (const key of [...keys].sort()) {
    const difference = firstDifference(e[key], a[key], path ? `${path}.${key}` : key);
    if (difference !== undefined) return difference;
  }
  return undefined;
};

const show = (value: unknown): string => JSON.stringify(value, null, 2) ?? String(value);

const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return show(error);
  const own = Object.fromEntries(Object.entries(error).filter(([key]) => key !== 'stack'));
  return `${error.name}: ${error.message} ${JSON.stringify(own)}`;
};
