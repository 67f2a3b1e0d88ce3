import { ValidationError } from '@trainyard/kernel';
import fc from 'fast-check';
import { MANIFEST_KEYS, validateJobManifest } from './job-manifest';
import { TASK_KEYS } from './job-manifest.tasks';
import { validManifestInput } from './job-manifest.fixtures';

/** Kahn's algorithm, independent of the validator's DFS: are these edges acyclic? */
const isAcyclic = (
  ids: readonly string[],
  deps: ReadonlyMap<string, readonly string[]>,
): boolean => {
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const id of ids) indegree.set(id, new Set(deps.get(id) ?? []).size);
  const dependents = new Map<string, string[]>();
  for (const id of ids)
    for (const dep of new Set(deps.get(id) ?? []))
      dependents.set(dep, [...(dependents.get(dep) ?? []), id]);
  const ready = ids.filter((id) => indegree.get(id) === 0);
  let seen = 0;
  while (ready.length > 0) {
    const id = ready.pop() as string;
    seen++;
    for (const next of dependents.get(id) ?? []) {
      const d = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, d);
      if (d === 0) ready.push(next);
    }
  }
  return seen === ids.length;
};

/**
 * A random directed graph over n ≥ 2 tasks, self-loops excluded (refused on their own, tested
 * apart; with n = 1 the filter could never pass and fast-check would spin).
 */
const graph = fc.integer({ min: 2, max: 12 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(
      fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })).filter(([a, b]) => a !== b),
      { maxLength: n * 2 },
    ),
  }),
);

const tasksOf = (n: number, edges: readonly (readonly [number, number])[]) => {
  const ids = Array.from({ length: n }, (_, i) => `t${i}`);
  const deps = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [a, b] of edges) deps.get(`t${a}`)?.push(`t${b}`);
  const tasks = ids.map((id) => ({
    id,
    dependsOn: deps.get(id),
    executor: { kind: 'kafka', topic: 'events' },
    timeoutSeconds: 10,
  }));
  return { ids, deps, tasks };
};

describe('validateJobManifest (properties)', () => {
  it('accepts exactly the acyclic task graphs, and names a real cycle otherwise', () => {
    fc.assert(
      fc.property(graph, ({ n, edges }) => {
        const { ids, deps, tasks } = tasksOf(n, edges);
        const result = validateJobManifest(
          validManifestInput({
            tasks,
            parameters: {},
            environments: { dev: {}, staging: {}, prod: {} },
          }),
        );
        expect(result.ok).toBe(isAcyclic(ids, deps));
        if (result.ok) return;
        const [problem] = result.problems;
        const named = /cycle: (.+)\.$/.exec(problem?.message ?? '')?.[1]?.split(' → ') ?? [];
        expect(named.length).toBeGreaterThan(2);
        expect(named[0]).toBe(named[named.length - 1]);
        // Every step of the named cycle is a declared dependency.
        for (let i = 0; i + 1 < named.length; i++)
          expect(deps.get(named[i] as string)).toContain(named[i + 1]);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on hostile input: always a manifest or a list of ValidationErrors', () => {
    const hostile = fc.anything({
      maxDepth: 4,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withObjectString: true,
      withTypedArray: true,
      withSparseArray: true,
      withBoxedValues: true,
      key: fc.oneof(
        fc.string(),
        fc.constantFrom('__proto__', 'constructor', 'toString', 'tasks', 'cron'),
      ),
    });
    const fields = fc.constantFrom(...MANIFEST_KEYS);
    const check = (input: unknown) => {
      const result = validateJobManifest(input);
      if (result.ok) return;
      expect(result.problems.length).toBeGreaterThan(0);
      for (const p of result.problems) {
        expect(p).toBeInstanceOf(ValidationError);
        expect(typeof p.field).toBe('string');
        expect(p.message.length).toBeGreaterThan(0);
      }
    };
    fc.assert(fc.property(hostile, check), { numRuns: 300 });
    // A valid manifest with one field replaced by something hostile.
    fc.assert(
      fc.property(fields, hostile, (field, value) => check(validManifestInput({ [field]: value }))),
      { numRuns: 500 },
    );
    // Hostile values inside a task and inside the schedule.
    fc.assert(
      fc.property(fc.constantFrom(...TASK_KEYS), hostile, (key, value) => {
        const input = validManifestInput();
        (input.tasks as Record<string, unknown>[])[1] = {
          ...(input.tasks as Record<string, unknown>[])[1],
          [key]: value,
        };
        input.schedule = { cron: value, zone: value, gap: value };
        check(input);
      }),
      { numRuns: 300 },
    );
  });
});
