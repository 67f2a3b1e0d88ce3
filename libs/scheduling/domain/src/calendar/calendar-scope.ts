import type { ComponentTree } from '../component/component-tree';
import type { CalendarEntryDefinition, CalendarScope } from './calendar-entry';

/** What a deployment (or a change, a job run) is about, for matching calendar scopes. */
export interface ScopeSubject {
  readonly train?: string;
  readonly team?: string;
  readonly environment?: string;
  readonly components?: readonly string[];
}

const allows = (list: readonly string[] | undefined, value: string | undefined): boolean =>
  list === undefined || list.length === 0 || (value !== undefined && list.includes(value));

/**
 * Whether an entry with `scope` applies to `subject`: every non-empty list of the scope holds the
 * subject's value (components: any of the subject's components, or, given a `tree`, one of their
 * ancestors, so a parent's entry covers its children). An absent value never matches a non-empty
 * list.
 */
export const entryAppliesTo = (
  scope: CalendarScope,
  subject: ScopeSubject,
  tree?: ComponentTree,
): boolean => {
  if (!allows(scope.trains, subject.train)) return false;
  if (!allows(scope.teams, subject.team)) return false;
  if (!allows(scope.environments, subject.environment)) return false;
  const listed = scope.components ?? [];
  if (listed.length === 0) return true;
  const own = subject.components ?? [];
  const reach = tree ? own.flatMap((c) => [c, ...tree.ancestorsOf(c)]) : own;
  return reach.some((c) => listed.includes(c));
};

/** The maintenance windows of one level of a component's ancestry. */
export interface MaintenanceLevel {
  readonly componentId: string;
  readonly entries: readonly CalendarEntryDefinition[];
}

/**
 * The maintenance windows a change to `componentId` must honour, one level per component from the
 * component itself up to the root, keeping only levels that have windows of their own. A change
 * fits when it lies inside some window of every returned level (its own, and each parent's);
 * a component without windows of its own inherits its nearest ancestors'. Retired entries are the
 * caller's to leave out.
 */
export const maintenanceWindowsFor = (
  componentId: string,
  tree: ComponentTree,
  entries: readonly CalendarEntryDefinition[],
): MaintenanceLevel[] =>
  [componentId, ...tree.ancestorsOf(componentId)]
    .map((level) => ({
      componentId: level,
      entries: entries.filter(
        (e) => e.kind === 'maintenance-window' && (e.scope.components ?? []).includes(level),
      ),
    }))
    .filter((level) => level.entries.length > 0);
