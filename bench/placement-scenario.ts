import type {
  DeploymentToPlace,
  DeploymentWindowInterval,
  FreezeInterval,
  PlacementContext,
} from '@trainyard/scheduling-domain';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2025-01-06, a Monday. */
const T0 = Date.UTC(2025, 0, 6);
const TRAINS = 10;
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const TEAMS = [
  { name: 'team-berlin', zone: 'Europe/Berlin' },
  { name: 'team-new-york', zone: 'America/New_York' },
  { name: 'team-sydney', zone: 'Australia/Sydney' },
  { name: 'team-kolkata', zone: 'Asia/Kolkata' },
  { name: 'team-utc', zone: 'UTC' },
];
/** Components per deployment on average, deployments per owner, children per service group. */
const DEPLOYMENTS_PER_COMPONENT = 4;
const DEPLOYMENTS_PER_OWNER = 5;
const CHILDREN_PER_GROUP = 8;

/** A deterministic PRNG (mulberry32): the same scenario every run. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/**
 * The `scheduling.place.scaling` workload: `count` deployments against a fixed calendar of 1,000
 * deployment windows (per train and environment, a tenth limited to team working hours in five
 * zones) and 500 freezes over 120 days. The portfolio grows with the deployments, as a real one
 * does: components (in service groups of a parent and children) and owners scale with `count`,
 * so each component and owner carries about the same load at both sizes and any super-linear
 * cost left is the engine's.
 */
export const placementScenario = (
  count: number,
  seed = 11,
): { deployments: DeploymentToPlace[]; context: PlacementContext } => {
  const next = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const windows: DeploymentWindowInterval[] = [];
  for (let i = 0; i < 1_000; i++) {
    const start = T0 + Math.floor(next() * 120) * DAY + Math.floor(next() * 20) * HOUR;
    windows.push({
      id: `window-${i}`,
      scope: { trains: [`train-${i % TRAINS}`], environments: [ENVIRONMENTS[i % 3]!] },
      start,
      end: start + (4 + Math.floor(next() * 20)) * HOUR,
      ...(i % 10 === 0 ? { teamWorkingHoursOnly: true } : {}),
    });
  }
  const freezes: FreezeInterval[] = [];
  for (let i = 0; i < 500; i++) {
    const start = T0 + Math.floor(next() * 120 * 24) * HOUR;
    freezes.push({
      id: `freeze-${i}`,
      scope:
        i % 2 === 0 ? { environments: [pick(ENVIRONMENTS)] } : { trains: [`train-${i % TRAINS}`] },
      start,
      end: start + (1 + Math.floor(next() * 12)) * HOUR,
    });
  }
  const componentCount = Math.max(1, Math.round(count / DEPLOYMENTS_PER_COMPONENT));
  const componentParents: Record<string, string> = {};
  for (let c = 0; c < componentCount; c++)
    if (c % (CHILDREN_PER_GROUP + 1) !== 0)
      componentParents[`component-${c}`] = `component-${c - (c % (CHILDREN_PER_GROUP + 1))}`;
  const owners = Math.max(1, Math.round(count / DEPLOYMENTS_PER_OWNER));
  const deployments: DeploymentToPlace[] = [];
  for (let i = 0; i < count; i++) {
    const team = pick(TEAMS);
    const first = Math.floor(next() * componentCount);
    deployments.push({
      id: `deployment-${i}`,
      releaseId: `release-${i % 100}`,
      workloadId: `workload-${i}`,
      train: `train-${Math.floor(next() * TRAINS)}`,
      team: team.name,
      environment: pick(ENVIRONMENTS),
      components:
        next() < 0.2
          ? [`component-${first}`, `component-${(first + 1) % componentCount}`]
          : [`component-${first}`],
      owner: `owner-${Math.floor(next() * owners)}`,
      expectedDurationMs: (1 + Math.floor(next() * 3)) * HOUR,
      earliestStart: T0 + Math.floor(next() * 90 * 24) * HOUR,
      deadline: T0 + 140 * DAY,
    });
  }
  const weekdays = [1, 2, 3, 4, 5];
  return {
    deployments,
    context: {
      deploymentWindows: windows,
      freezes,
      componentParents,
      teamWorkingHours: Object.fromEntries(
        TEAMS.map((t) => [
          t.name,
          { zone: t.zone, weekly: weekdays.map((day) => ({ day, from: '08:00', to: '18:00' })) },
        ]),
      ),
      // Every tenth freeze has an active override for the prod environment.
      overrideCovers: (freeze, _slot, subject) =>
        subject.environment === 'prod' && Number(freeze.id.slice(7)) % 10 === 0,
    },
  };
};
