import fc from 'fast-check';
import type { Interval } from '../calendar/calendar-entry';
import { detectConflicts } from '../conflicts/detect-conflicts';
import { placeDeployments } from './place-deployments';
import {
  PLACEMENT_RULES,
  type CalendarInterval,
  type DeploymentToPlace,
  type FreezeInterval,
  type PlacementContext,
} from './placement.types';

// Placement invariants as properties (issue 11). The oracle below is written independently of the
// engine: brute force over 15-minute units (every generated boundary is a whole unit), plain
// arrays, no indexes, no jumps.
const U = 15 * 60_000;
const PARENTS: Record<string, string> = { a: 'root', b: 'root', a1: 'a', a2: 'a', b1: 'b' };
const COMPONENTS = ['root', 'a', 'b', 'a1', 'a2', 'b1'];

const ancestorsOf = (c: string): string[] => {
  const out: string[] = [];
  for (let p = PARENTS[c]; p !== undefined; p = PARENTS[p]) out.push(p);
  return out;
};
const related = (x: string, y: string) =>
  x === y || ancestorsOf(x).includes(y) || ancestorsOf(y).includes(x);
const subtreeOf = (c: string) => COMPONENTS.filter((x) => x === c || ancestorsOf(x).includes(c));
const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

const span = fc
  .record({ from: fc.integer({ min: 0, max: 90 }), len: fc.integer({ min: 1, max: 30 }) })
  .map(({ from, len }) => ({ start: from * U, end: (from + len) * U }));
const scope = fc.oneof(
  fc.constant({}),
  fc.constant({ environments: ['prod'] }),
  fc.constant({ environments: ['qa'] }),
  fc.constantFrom(...COMPONENTS).map((c) => ({ components: [c] })),
);
const someComponents = fc.uniqueArray(fc.constantFrom(...COMPONENTS), {
  minLength: 1,
  maxLength: 3,
});
const owner = fc.constantFrom('o1', 'o2', 'o3');

const scenario = fc.record({
  windows: fc.array(fc.tuple(span, scope), { minLength: 1, maxLength: 5 }),
  freezes: fc.array(fc.tuple(span, scope, fc.boolean()), { maxLength: 4 }),
  overridden: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
  maintenance: fc.array(fc.tuple(span, fc.constantFrom(...COMPONENTS)), { maxLength: 4 }),
  scheduled: fc.array(fc.tuple(span, someComponents, owner), { maxLength: 3 }),
  jobs: fc.array(fc.tuple(span, fc.option(someComponents, { nil: undefined }), fc.boolean()), {
    maxLength: 2,
  }),
  bookings: fc.array(fc.tuple(span, owner), { maxLength: 2 }),
  deployments: fc.array(
    fc.record({
      environment: fc.constantFrom('prod', 'qa'),
      components: someComponents,
      owner,
      duration: fc.integer({ min: 1, max: 8 }),
      earliest: fc.integer({ min: 0, max: 60 }),
      deadline: fc.option(fc.integer({ min: 1, max: 80 }), { nil: undefined }),
      usesDb: fc.boolean(),
      waves: fc.option(
        fc.record({
          size: fc.integer({ min: 1, max: 2 }),
          minGap: fc.integer({ min: 0, max: 4 }),
          blastRadius: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        }),
        { nil: undefined },
      ),
    }),
    { minLength: 1, maxLength: 5 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const build = (s: Scenario) => {
  const overridden = new Set(s.overridden.map((i) => `f${i}`));
  const context: PlacementContext = {
    deploymentWindows: s.windows.map(([iv, sc], i) => ({ id: `w${i}`, scope: sc, ...iv })),
    freezes: s.freezes.map(([iv, sc, hol], i): FreezeInterval => ({
      id: `f${i}`,
      scope: sc,
      ...iv,
      ...(hol ? { holidayId: `h${i}` } : {}),
    })),
    overrideCovers: (freeze) => overridden.has(freeze.id),
    maintenanceWindows: s.maintenance.map(([iv, c], i) => ({
      id: `m${i}`,
      scope: { components: [c] },
      ...iv,
    })),
    componentParents: PARENTS,
    scheduled: s.scheduled.map(([iv, components, o], i) => ({
      id: `s${i}`,
      components,
      owner: o,
      ...iv,
    })),
    jobs: s.jobs.map(([iv, components, db], i) => ({
      id: `j${i}`,
      ...iv,
      ...(components ? { components } : {}),
      ...(db ? { resources: ['db'] } : {}),
    })),
    ownerBookings: s.bookings.map(([iv, o], i) => ({ id: `b${i}`, owner: o, ...iv })),
  };
  const deployments: DeploymentToPlace[] = s.deployments.map((d, i) => ({
    id: `d${i}`,
    releaseId: 'r',
    workloadId: 'w',
    train: 't',
    team: 'core',
    environment: d.environment,
    components: d.components,
    owner: d.owner,
    expectedDurationMs: d.duration * U,
    earliestStart: d.earliest * U,
    ...(d.deadline !== undefined ? { deadline: (d.earliest + d.deadline) * U } : {}),
    ...(d.usesDb ? { resources: ['db'] } : {}),
    ...(d.waves
      ? {
          waves: {
            size: d.waves.size,
            minGapMs: d.waves.minGap * U,
            ...(d.waves.blastRadius !== undefined ? { blastRadius: d.waves.blastRadius } : {}),
          },
        }
      : {}),
  }));
  return { context, deployments, overridden };
};

interface Occupant extends Interval {
  readonly id: string;
  readonly components: readonly string[];
  readonly owner?: string;
}

/** The oracle: why a slot is not allowed, or undefined. Independent of the engine. */
const oracle = (
  context: PlacementContext,
  overridden: ReadonlySet<string>,
  d: DeploymentToPlace,
  components: readonly string[],
  slot: Interval,
  occupants: readonly Occupant[],
): string | undefined => {
  const applies = (e: CalendarInterval) =>
    (!e.scope.environments || e.scope.environments.includes(d.environment)) &&
    (!e.scope.components || e.scope.components.some((c) => components.includes(c)));
  const units: number[] = [];
  for (let t = slot.start; t < slot.end; t += U) units.push(t);
  const windows = context.deploymentWindows.filter(applies);
  if (!units.every((t) => windows.some((w) => w.start <= t && t < w.end))) return 'window';
  if ((context.freezes ?? []).some((f) => applies(f) && overlaps(f, slot) && !overridden.has(f.id)))
    return 'freeze';
  const chain = new Set(components.flatMap((c) => [c, ...ancestorsOf(c)]));
  for (const c of chain) {
    const mws = (context.maintenanceWindows ?? []).filter((m) => m.scope.components?.includes(c));
    if (mws.length > 0 && !units.every((t) => mws.some((m) => m.start <= t && t < m.end)))
      return `maintenance ${c}`;
  }
  for (const o of occupants)
    if (o.id !== d.id && overlaps(o, slot)) {
      if (o.components.some((x) => components.some((y) => related(x, y)))) return `overlap ${o.id}`;
      if (d.owner !== undefined && o.owner === d.owner) return `owner ${o.id}`;
    }
  for (const j of context.jobs ?? [])
    if (
      overlaps(j, slot) &&
      ((j.components ?? []).some((x) => components.some((y) => related(x, y))) ||
        (j.resources ?? []).some((r) => d.resources?.includes(r)))
    )
      return `job ${j.id}`;
  for (const b of context.ownerBookings ?? [])
    if (b.owner === d.owner && overlaps(b, slot)) return `booking ${b.id}`;
  return undefined;
};

describe('placement invariants (properties)', () => {
  it('every placed wave satisfies every rule; waves keep size, blast radius and gap; unplaced always has a reason; no earlier feasible slot was skipped', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { context, deployments, overridden } = build(s);
        const outcomes = placeDeployments(deployments, context);
        const occupants: Occupant[] = [...(context.scheduled ?? [])];
        const horizon = Math.max(...context.deploymentWindows.map((w) => w.end));
        outcomes.forEach((out, i) => {
          const d = deployments[i]!;
          expect(out.deploymentId).toBe(d.id);
          // Rejected candidates come in ascending order and each names a known rule.
          for (const [k, r] of out.rejected.entries()) {
            expect(PLACEMENT_RULES).toContain(r.rule);
            if (k > 0 && r.wave === out.rejected[k - 1]!.wave)
              expect(r.candidate.start).toBeGreaterThan(out.rejected[k - 1]!.candidate.start);
          }
          if (out.status === 'unplaced') {
            expect(PLACEMENT_RULES).toContain(out.reason.rule);
            expect(out.reason.message.length).toBeGreaterThan(0);
            if (!d.waves) {
              // Nothing feasible was left: every aligned start up to the horizon fails a rule or the deadline.
              for (
                let t = d.earliestStart;
                t + d.expectedDurationMs <= Math.min(horizon, d.deadline ?? Infinity);
                t += U
              )
                expect(
                  oracle(
                    context,
                    overridden,
                    d,
                    d.components,
                    { start: t, end: t + d.expectedDurationMs },
                    occupants,
                  ),
                ).toBeDefined();
            }
            return;
          }
          let previousEnd: number | undefined;
          for (const wave of out.waves) {
            expect(wave.end - wave.start).toBe(d.expectedDurationMs);
            expect(wave.start).toBeGreaterThanOrEqual(d.earliestStart);
            if (d.deadline !== undefined) expect(wave.end).toBeLessThanOrEqual(d.deadline);
            if (previousEnd !== undefined)
              expect(wave.start).toBeGreaterThanOrEqual(previousEnd + (d.waves?.minGapMs ?? 0));
            previousEnd = wave.end;
            if (d.waves) {
              expect(wave.components.length).toBeLessThanOrEqual(d.waves.size);
              if (d.waves.blastRadius !== undefined)
                expect(new Set(wave.components.flatMap(subtreeOf)).size).toBeLessThanOrEqual(
                  d.waves.blastRadius,
                );
            }
            expect(
              oracle(context, overridden, d, wave.components, wave, occupants),
            ).toBeUndefined();
          }
          expect([...out.waves.flatMap((w) => w.components)].sort()).toEqual(
            [...new Set(d.components)].sort(),
          );
          if (!d.waves) {
            // The first feasible slot: every earlier aligned start fails a rule.
            for (let t = d.earliestStart; t < out.slot.start; t += U)
              expect(
                oracle(
                  context,
                  overridden,
                  d,
                  d.components,
                  { start: t, end: t + d.expectedDurationMs },
                  occupants,
                ),
              ).toBeDefined();
          }
          for (const wave of out.waves)
            occupants.push({
              id: d.id,
              components: wave.components,
              owner: d.owner,
              start: wave.start,
              end: wave.end,
            });
        });
        // Never two deployments on one component or its parent or child at once.
        for (const [x, a] of occupants.entries())
          for (const b of occupants.slice(x + 1))
            if (a.id !== b.id && overlaps(a, b))
              expect(a.components.some((p) => b.components.some((q) => related(p, q)))).toBe(
                // scheduled deployments given as input may already clash with each other
                a.id.startsWith('s') && b.id.startsWith('s')
                  ? a.components.some((p) => b.components.some((q) => related(p, q)))
                  : false,
              );
      }),
      { numRuns: 400 },
    );
  });

  it('detectConflicts finds no conflict exactly when the independent oracle allows the slot, and each conflict lies inside the proposal', () => {
    fc.assert(
      fc.property(scenario, span, (s, interval) => {
        const { context, deployments, overridden } = build(s);
        const d = deployments[0]!;
        const conflicts = detectConflicts({ ...d, interval }, context);
        const verdict = oracle(
          context,
          overridden,
          d,
          d.components,
          interval,
          context.scheduled ?? [],
        );
        expect(conflicts.length === 0).toBe(verdict === undefined);
        for (const c of conflicts) {
          expect(c.interval.start).toBeGreaterThanOrEqual(interval.start);
          expect(c.interval.end).toBeLessThanOrEqual(interval.end);
          expect(c.interval.end).toBeGreaterThan(c.interval.start);
        }
      }),
      { numRuns: 400 },
    );
  });
});
