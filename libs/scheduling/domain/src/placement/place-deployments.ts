import { ValidationError } from '@trainyard/kernel';
import type { Interval } from '../calendar/calendar-entry';
import { formatUtcInstant } from '../time/civil-date';
import { PlacementRules, type SubjectView, type Violation } from './placement-rules';
import type {
  ConflictParty,
  DeploymentToPlace,
  PlacedWave,
  PlacementContext,
  PlacementOutcome,
  PlacementRule,
  Rejection,
} from './placement.types';

/**
 * Places deployments, in the order given (the caller's priority), each at the earliest start
 * satisfying every rule; each placed deployment occupies its components and owner for the ones
 * after it. Pure: no clock, no I/O. Candidate generation jumps from one boundary to the next
 * (the end of the freeze, deployment or booking in the way, the next window run long enough),
 * never minute by minute, and every rejected candidate is reported with its rule and party.
 */
export const placeDeployments = (
  deployments: readonly DeploymentToPlace[],
  context: PlacementContext,
): PlacementOutcome[] => {
  deployments.forEach(validateDeployment);
  const rules = new PlacementRules(context);
  return deployments.map((d) => placeOne(rules, d));
};

const validateDeployment = (d: DeploymentToPlace, i: number): void => {
  const field = (name: string) => `deployments[${i}].${name}`;
  const fail = (name: string, message: string) => {
    throw new ValidationError(field(name), `${field(name)} ${message}.`);
  };
  if (typeof d.id !== 'string' || d.id === '') fail('id', 'is required');
  if (!Number.isFinite(d.expectedDurationMs) || d.expectedDurationMs <= 0)
    fail('expectedDurationMs', 'must be a positive number of milliseconds');
  if (!Number.isFinite(d.earliestStart)) fail('earliestStart', 'must be an instant in epoch ms');
  if (d.deadline !== undefined && !Number.isFinite(d.deadline))
    fail('deadline', 'must be an instant in epoch ms');
  if (!Array.isArray(d.components) || d.components.length === 0)
    fail('components', 'must name at least one component');
  if (d.waves) {
    if (!Number.isInteger(d.waves.size) || d.waves.size < 1)
      fail('waves.size', 'must be a whole number of at least 1');
    if (!Number.isFinite(d.waves.minGapMs) || d.waves.minGapMs < 0)
      fail('waves.minGapMs', 'must be zero or more milliseconds');
    if (
      d.waves.blastRadius !== undefined &&
      (!Number.isInteger(d.waves.blastRadius) || d.waves.blastRadius < 1)
    )
      fail('waves.blastRadius', 'must be a whole number of at least 1');
  }
};

type WaveSplit =
  | { readonly ok: true; readonly waves: readonly (readonly string[])[] }
  | { readonly ok: false; readonly component: string; readonly limit: number };

/**
 * Splits the deployment's components into waves in the order given: at most `size` targets per
 * wave and at most `blastRadius` components touched (each target with its descendants).
 */
export const splitWaves = (
  d: Pick<DeploymentToPlace, 'components' | 'waves'>,
  rules: Pick<PlacementRules, 'tree'>,
): WaveSplit => {
  const components = [...new Set(d.components)];
  if (!d.waves) return { ok: true, waves: [components] };
  const { size, blastRadius } = d.waves;
  const waves: string[][] = [];
  let wave: string[] = [];
  let touched = new Set<string>();
  for (const c of components) {
    const reach = blastRadius === undefined ? [c] : rules.tree.subtree(c);
    if (blastRadius !== undefined && reach.length > blastRadius)
      return { ok: false, component: c, limit: blastRadius };
    const grown = new Set([...touched, ...reach]);
    if (
      wave.length > 0 &&
      (wave.length >= size || (blastRadius !== undefined && grown.size > blastRadius))
    ) {
      waves.push(wave);
      wave = [];
      touched = new Set(reach);
    } else touched = grown;
    wave.push(c);
  }
  if (wave.length > 0) waves.push(wave);
  return { ok: true, waves };
};

const describe = (rule: PlacementRule, party: ConflictParty | undefined): string => {
  switch (rule) {
    case 'outside-deployment-window':
      return 'No allowed deployment window of the train, team and environment is left that can hold the deployment.';
    case 'working-hours':
      return 'No allowed window inside the team’s working hours is left that can hold the deployment.';
    case 'maintenance':
      return `No maintenance window of component ${party?.kind === 'maintenance' ? party.component : ''} is left that can hold the deployment.`;
    default:
      return `No slot is left that satisfies rule ${rule}.`;
  }
};

const placeOne = (rules: PlacementRules, d: DeploymentToPlace): PlacementOutcome => {
  const rejected: Rejection[] = [];
  const split = splitWaves(d, rules);
  if (!split.ok)
    return {
      deploymentId: d.id,
      status: 'unplaced',
      reason: {
        rule: 'blast-radius',
        message: `Component ${split.component} with its descendants touches more than the blast-radius limit of ${split.limit} components, so no wave can hold it.`,
        party: { kind: 'blast-radius', component: split.component, limit: split.limit },
      },
      rejected,
    };
  const many = split.waves.length > 1;
  const placed: PlacedWave[] = [];
  const deadline = d.deadline ?? Infinity;
  let earliest = d.earliestStart;
  for (const [i, components] of split.waves.entries()) {
    const wave = many ? i + 1 : undefined;
    const view = rules.view({ ...d, components }, d.id);
    const found = earliestSlot(
      rules,
      view,
      earliest,
      d.expectedDurationMs,
      deadline,
      wave,
      rejected,
    );
    if ('failed' in found) {
      // A later wave that cannot be placed unplaces the whole deployment: free the earlier waves.
      for (const w of placed) rules.release(d.id, w, w.components, d.owner);
      return {
        deploymentId: d.id,
        status: 'unplaced',
        reason: { ...found.failed, ...(wave !== undefined ? { wave } : {}) },
        rejected,
      };
    }
    const slot = { start: found.start, end: found.start + d.expectedDurationMs };
    rules.occupy(d.id, slot, components, d.owner);
    placed.push({ ...slot, wave: i + 1, components });
    earliest = slot.end + (d.waves?.minGapMs ?? 0);
  }
  return {
    deploymentId: d.id,
    status: 'placed',
    slot: { start: placed[0]!.start, end: placed[placed.length - 1]!.end },
    waves: placed,
    rejected,
  };
};

type Found =
  | { readonly start: number }
  | {
      readonly failed: { rule: PlacementRule; message: string; party?: ConflictParty };
    };

/** The earliest start ≥ `from` whose slot of `length` ms every rule accepts, ending by `deadline`. */
const earliestSlot = (
  rules: PlacementRules,
  view: SubjectView,
  from: number,
  length: number,
  deadline: number,
  wave: number | undefined,
  rejected: Rejection[],
): Found => {
  let t = from;
  let last: Violation | undefined;
  for (;;) {
    if (t + length > deadline) {
      return {
        failed: {
          rule: 'deadline',
          message:
            last === undefined
              ? `The deployment cannot end by its deadline ${formatUtcInstant(deadline)}.`
              : `No slot ends by the deadline ${formatUtcInstant(deadline)}; the last candidate was rejected by rule ${last.rule}.`,
          party: { kind: 'deadline', deadline },
        },
      };
    }
    if (!Number.isFinite(t))
      return {
        failed: {
          rule: last!.rule,
          message: describe(last!.rule, last!.party),
          party: last!.party,
        },
      };
    const slot: Interval = { start: t, end: t + length };
    let violation: Violation | undefined;
    for (const check of rules.checks) {
      violation = check(view, slot, false)[0];
      if (violation) break;
    }
    if (!violation) return { start: t };
    rejected.push({
      candidate: slot,
      rule: violation.rule,
      party: violation.party,
      ...(wave !== undefined ? { wave } : {}),
    });
    last = violation;
    // Every rule's next start is past the current one; the guard keeps the walk moving whatever.
    t = Math.max(violation.next, t + 1);
  }
};
