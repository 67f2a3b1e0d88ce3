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
    (!e.scope.components ||
      e.scope.components.some((c) =>
        components.some((x) => x === c || ancestorsOf(x).includes(c)),
      ));
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

/** Every invariant a placement run breaks, as sentences (empty = all hold). */
const brokenInvariants = (s: Scenario): string[] => {
  const broken: string[] = [];
  const check = (holds: boolean, what: string) => {
    if (!holds) broken.push(what);
  };
  const { context, deployments, overridden } = build(s);
  const outcomes = placeDeployments(deployments, context);
  const occupants: Occupant[] = [...(context.scheduled ?? [])];
  const horizon = Math.max(...context.deploymentWindows.map((w) => w.end));
  const fails = (d: DeploymentToPlace, t: number) =>
    oracle(
      context,
      overridden,
      d,
      d.components,
      { start: t, end: t + d.expectedDurationMs },
      occupants,
    ) !== undefined;
  outcomes.forEach((out, i) => {
    const d = deployments[i]!;
    check(out.deploymentId === d.id, `outcome ${i} is for ${d.id}`);
    // Rejected candidates come in ascending order (per wave) and each names a known rule.
    out.rejected.forEach((r, k) => {
      check(PLACEMENT_RULES.includes(r.rule), `${d.id}: rejection rule ${r.rule} is known`);
      const before = out.rejected[k - 1];
      if (before && before.wave === r.wave)
        check(r.candidate.start > before.candidate.start, `${d.id}: candidates ascend`);
    });
    if (out.status === 'unplaced') {
      check(PLACEMENT_RULES.includes(out.reason.rule), `${d.id}: unplaced reason is a known rule`);
      check(out.reason.message.length > 0, `${d.id}: unplaced reason has a message`);
      // Nothing feasible was left: every aligned start up to the horizon and deadline fails a rule.
      if (!d.waves)
        for (
          let t = d.earliestStart;
          t + d.expectedDurationMs <= Math.min(horizon, d.deadline ?? Infinity);
          t += U
        )
          check(fails(d, t), `${d.id}: unplaced, yet the slot at ${t / U} units was free`);
      return;
    }
    let previousEnd: number | undefined;
    for (const wave of out.waves) {
      check(
        wave.end - wave.start === d.expectedDurationMs,
        `${d.id}: wave lasts the expected duration`,
      );
      check(wave.start >= d.earliestStart, `${d.id}: wave starts at or after the earliest start`);
      check(wave.end <= (d.deadline ?? Infinity), `${d.id}: wave ends by the deadline`);
      if (previousEnd !== undefined)
        check(
          wave.start >= previousEnd + (d.waves?.minGapMs ?? 0),
          `${d.id}: waves keep the minimum gap`,
        );
      previousEnd = wave.end;
      if (d.waves) {
        check(wave.components.length <= d.waves.size, `${d.id}: wave within its size`);
        check(
          new Set(wave.components.flatMap(subtreeOf)).size <= (d.waves.blastRadius ?? Infinity),
          `${d.id}: wave within the blast-radius limit`,
        );
      }
      const why = oracle(context, overridden, d, wave.components, wave, occupants);
      check(why === undefined, `${d.id}: wave ${wave.wave} breaks ${why}`);
    }
    check(
      [...out.waves.flatMap((w) => w.components)].sort().join() ===
        [...new Set(d.components)].sort().join(),
      `${d.id}: waves cover every component once`,
    );
    // The first feasible slot: every earlier aligned start fails a rule.
    if (!d.waves)
      for (let t = d.earliestStart; t < out.slot.start; t += U)
        check(fails(d, t), `${d.id}: placed at ${out.slot.start / U}, yet ${t / U} was free`);
    for (const wave of out.waves)
      occupants.push({
        id: d.id,
        components: wave.components,
        owner: d.owner,
        start: wave.start,
        end: wave.end,
      });
  });
  // Never two deployments on one component or its parent or child at once (scheduled input aside).
  occupants.forEach((a, x) => {
    for (const b of occupants.slice(x + 1))
      if (a.id !== b.id && overlaps(a, b) && !(a.id.startsWith('s') && b.id.startsWith('s')))
        check(
          !a.components.some((p) => b.components.some((q) => related(p, q))),
          `${a.id} and ${b.id} overlap on related components`,
        );
  });
  return broken;
};

describe('placement invariants (properties)', () => {
  it('every placed wave satisfies every rule; waves keep size, blast radius and gap; unplaced always has a reason; no earlier feasible slot was skipped', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(brokenInvariants(s)).toEqual([]);
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
        expect(
          conflicts.filter(
            (c) =>
              c.interval.start < interval.start ||
              c.interval.end > interval.end ||
              c.interval.end <= c.interval.start,
          ),
        ).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
