import {
  DEFAULT_PLANNING_POLICY,
  assertValidPolicy,
  type PlanningPolicy,
} from '@trainyard/planning-domain';

export const PLANNING_POLICY = Symbol('trainyard.planning.policy');

/**
 * The policy this service plans with: the domain's defaults plus a second release train for the
 * data platform. Release trains and tracks are policy (configuration the audit can name by
 * `version`), not aggregates: the domain has no command that defines one, so a new train is a new
 * policy version.
 */
export const SERVICE_PLANNING_POLICY: PlanningPolicy = assertValidPolicy({
  ...DEFAULT_PLANNING_POLICY,
  version: `${DEFAULT_PLANNING_POLICY.version}+trains.2`,
  routing: {
    tracks: [
      { id: 'main', kind: 'train', name: 'Main release train' },
      { id: 'data', kind: 'train', name: 'Data platform release train' },
      { id: 'infrastructure', kind: 'independent', name: 'Infrastructure track' },
      { id: 'hotfix', kind: 'independent', name: 'Emergency hotfix track' },
    ],
    rules: [
      ...DEFAULT_PLANNING_POLICY.routing.rules,
      { id: 'data-platform-components', match: { componentNamePrefix: 'data-' }, trackId: 'data' },
    ],
    defaultTrackId: DEFAULT_PLANNING_POLICY.routing.defaultTrackId,
  },
});
