import { RuleViolation, ValidationError } from '@trainyard/kernel';
import type { PlanningPolicy, RoutingRule, TrackDefinition, TrackKind } from './planning-policy';
import type { Component } from './workload-facts';

export interface ComponentRoute {
  readonly component: string;
  readonly trackId: string;
  readonly trackKind: TrackKind;
  /** The routing rule that matched, or 'default'. */
  readonly ruleId: string;
}

export interface WorkloadRoute {
  readonly trackId: string;
  readonly trackKind: TrackKind;
  readonly components: readonly ComponentRoute[];
}

const ruleMatches = (rule: RoutingRule, component: Component, team: string): boolean => {
  const m = rule.match;
  if (m.componentKind !== undefined && m.componentKind !== component.kind) return false;
  if (m.componentName !== undefined && m.componentName !== component.name) return false;
  if (m.componentNamePrefix !== undefined && !component.name.startsWith(m.componentNamePrefix))
    return false;
  if (m.team !== undefined && m.team !== team) return false;
  return true;
};

export const findTrack = (policy: PlanningPolicy, trackId: string): TrackDefinition | undefined =>
  policy.routing.tracks.find((t) => t.id === trackId);

const track = (policy: PlanningPolicy, trackId: string): TrackDefinition => {
  const found = findTrack(policy, trackId);
  if (!found) throw new ValidationError('policy.routing', `routing names unknown track ${trackId}`);
  return found;
};

export const routeComponent = (
  component: Component,
  team: string,
  policy: PlanningPolicy,
): ComponentRoute => {
  const rule = policy.routing.rules.find((r) => ruleMatches(r, component, team));
  const trackId = rule?.trackId ?? policy.routing.defaultTrackId;
  return {
    component: component.name,
    trackId,
    trackKind: track(policy, trackId).kind,
    ruleId: rule?.id ?? 'default',
  };
};

/**
 * A workload ships with one train or on one independent track. Components that may deploy
 * independently ride along when another component of the workload needs a train; a workload
 * spanning two trains must be split, because no release could carry it whole.
 */
export const routeWorkload = (
  workload: { readonly team: string; readonly components: readonly Component[] },
  policy: PlanningPolicy,
): WorkloadRoute => {
  const components = workload.components.map((c) => routeComponent(c, workload.team, policy));
  const trains = [
    ...new Set(components.filter((r) => r.trackKind === 'train').map((r) => r.trackId)),
  ];
  if (trains.length > 1) {
    throw new RuleViolation(
      'one-train-per-workload',
      `components route to several release trains (${trains.join(', ')}); split the workload`,
    );
  }
  const first = trains[0] ?? components[0]?.trackId ?? policy.routing.defaultTrackId;
  return { trackId: first, trackKind: track(policy, first).kind, components };
};
