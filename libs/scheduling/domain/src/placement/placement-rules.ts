import { ownValue } from '@trainyard/kernel';
import type { CalendarScope, Interval } from '../calendar/calendar-entry';
import { createComponentTree, type ComponentTree } from '../component/component-tree';
import { IntervalUnion, OverlapIndex } from './interval-index';
import type {
  ConflictParty,
  DeploymentWindowInterval,
  FreezeInterval,
  PlacementContext,
  PlacementRule,
  PlacementSubject,
} from './placement.types';
import { workingHoursIntervals } from './working-hours';

/**
 * The placement rules, one function each, shared by placement (first violation, to jump past it)
 * and conflict detection (every violation). One rule, one place.
 */

/** A rule's finding: who is in the way and the earliest start worth trying next. */
export interface Violation {
  readonly rule: PlacementRule;
  readonly party: ConflictParty;
  /** The part of the slot concerned (the whole slot for absence rules). */
  readonly interval: Interval;
  /** Earliest start from which this rule could hold again (Infinity: never). */
  readonly next: number;
}

/** A subject prepared against the context: its windows, freezes and constraints, cached. */
export interface SubjectView {
  readonly subject: PlacementSubject;
  /** Skip occupancy entries of this id (the deployment's own earlier waves). */
  readonly selfId?: string;
  readonly windows: IntervalUnion;
  /** Windows once working-hours-only windows are cut to the team's hours; undefined = none apply. */
  readonly allowed?: IntervalUnion;
  readonly zone?: string;
  readonly freezeIndexes: readonly OverlapIndex<FreezeInterval>[];
  /** Components with maintenance windows the slot must lie inside (touched ones and ancestors). */
  readonly maintenance: readonly { readonly component: string; readonly union: IntervalUnion }[];
  /** Touched components with their ancestors: the occupancy to check. */
  readonly touched: readonly {
    readonly component: string;
    readonly ancestors: readonly string[];
  }[];
}

interface Occupant {
  readonly id: string;
  readonly component: string;
}
interface JobOccupant {
  readonly id: string;
  readonly component?: string;
  readonly resource?: string;
}
interface OwnerOccupant {
  readonly bookingId?: string;
  readonly deploymentId?: string;
}

export type RuleCheck = (view: SubjectView, slot: Interval, all: boolean) => Violation[];

const matchesList = (list: readonly string[] | undefined, value: string): boolean =>
  list === undefined || list.length === 0 || list.includes(value);

/** Whether an entry's scope applies to a subject, the components dimension aside. */
const matchesDimensions = (scope: CalendarScope, s: PlacementSubject): boolean =>
  matchesList(scope.trains, s.train) &&
  matchesList(scope.teams, s.team) &&
  matchesList(scope.environments, s.environment);

const hasComponents = (scope: CalendarScope): boolean =>
  scope.components !== undefined && scope.components.length > 0;

const overlapOf = (a: Interval, b: Interval): Interval => ({
  start: Math.max(a.start, b.start),
  end: Math.min(a.end, b.end),
});

const pushTo = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** The rules over one context, with its indexes; occupancy grows as placement places. */
export class PlacementRules {
  readonly tree: ComponentTree;
  private readonly plainWindows: DeploymentWindowInterval[] = [];
  private readonly windowsByComponent = new Map<string, DeploymentWindowInterval[]>();
  private readonly plainFreezes: FreezeInterval[] = [];
  private readonly freezesByComponent = new Map<string, FreezeInterval[]>();
  private readonly maintenanceByComponent = new Map<string, IntervalUnion>();
  /** Occupancy of exactly this component. */
  private readonly own = new Map<string, OverlapIndex<Occupant>>();
  /** Occupancy of this component or any descendant. */
  private readonly subtree = new Map<string, OverlapIndex<Occupant>>();
  private readonly jobOwn = new Map<string, OverlapIndex<JobOccupant>>();
  private readonly jobSubtree = new Map<string, OverlapIndex<JobOccupant>>();
  private readonly jobByResource = new Map<string, OverlapIndex<JobOccupant>>();
  private readonly owners = new Map<string, OverlapIndex<OwnerOccupant>>();
  private readonly windowCache = new Map<
    string,
    { windows: IntervalUnion; allowed?: IntervalUnion }
  >();
  private readonly freezeCache = new Map<string, OverlapIndex<FreezeInterval>>();
  private readonly componentFreezeIndex = new Map<string, OverlapIndex<FreezeInterval>>();
  private readonly hoursCache = new Map<string, IntervalUnion>();
  private readonly horizon: Interval;

  constructor(private readonly context: PlacementContext) {
    this.tree = createComponentTree(Object.entries(context.componentParents ?? {}));
    let lo = Infinity;
    let hi = -Infinity;
    for (const w of context.deploymentWindows) {
      if (hasComponents(w.scope))
        for (const c of w.scope.components!) pushTo(this.windowsByComponent, c, w);
      else this.plainWindows.push(w);
      lo = Math.min(lo, w.start);
      hi = Math.max(hi, w.end);
    }
    this.horizon = { start: lo, end: hi };
    for (const f of context.freezes ?? []) {
      if (hasComponents(f.scope))
        for (const c of f.scope.components!) pushTo(this.freezesByComponent, c, f);
      else this.plainFreezes.push(f);
    }
    const maintenance = new Map<string, { start: number; end: number; id: string }[]>();
    for (const m of context.maintenanceWindows ?? [])
      for (const c of m.scope.components ?? []) pushTo(maintenance, c, m);
    for (const [c, list] of maintenance)
      this.maintenanceByComponent.set(c, new IntervalUnion(list));
    for (const d of context.scheduled ?? []) this.occupy(d.id, d, d.components, d.owner);
    for (const j of context.jobs ?? []) {
      for (const c of j.components ?? []) {
        index(this.jobOwn, c).insert(j.start, j.end, { id: j.id, component: c });
        for (const a of [c, ...this.tree.ancestorsOf(c)])
          index(this.jobSubtree, a).insert(j.start, j.end, { id: j.id, component: c });
      }
      for (const r of j.resources ?? [])
        index(this.jobByResource, r).insert(j.start, j.end, { id: j.id, resource: r });
    }
    for (const b of context.ownerBookings ?? [])
      index(this.owners, b.owner).insert(b.start, b.end, { bookingId: b.id });
  }

  /** Records a deployment's (or wave's) occupancy of its components and owner. */
  occupy(id: string, slot: Interval, components: readonly string[], owner?: string): void {
    this.eachOccupancy(id, components, owner, (ix, payload) =>
      ix.insert(slot.start, slot.end, payload),
    );
  }

  /** Undoes `occupy` with the same arguments (a deployment whose later wave could not be placed). */
  release(id: string, slot: Interval, components: readonly string[], owner?: string): void {
    this.eachOccupancy(id, components, owner, (ix, payload) =>
      ix.remove(slot.start, slot.end, payload),
    );
  }

  private readonly payloads = new Map<string, Occupant>();
  private readonly ownerPayloads = new Map<string, OwnerOccupant>();

  private eachOccupancy(
    id: string,
    components: readonly string[],
    owner: string | undefined,
    act: <T>(ix: OverlapIndex<T>, payload: T) => void,
  ): void {
    for (const c of components) {
      const key = `${id}\u0000${c}`;
      let payload = this.payloads.get(key);
      if (!payload) this.payloads.set(key, (payload = { id, component: c }));
      act(index(this.own, c), payload);
      for (const a of [c, ...this.tree.ancestorsOf(c)]) act(index(this.subtree, a), payload);
    }
    if (owner !== undefined) {
      let payload = this.ownerPayloads.get(id);
      if (!payload) this.ownerPayloads.set(id, (payload = { deploymentId: id }));
      act(index(this.owners, owner), payload);
    }
  }

  /** Prepares a subject: windows, freezes and maintenance that apply to it. */
  view(subject: PlacementSubject, selfId?: string): SubjectView {
    const key = `${subject.train}\u0000${subject.team}\u0000${subject.environment}`;
    const extra = new Set<DeploymentWindowInterval>();
    // A component-scoped entry applies to the component and to its descendants (the calendar's
    // scope rule: a parent's entry covers its children).
    const reach = new Set(subject.components.flatMap((c) => [c, ...this.tree.ancestorsOf(c)]));
    for (const c of reach)
      for (const w of this.windowsByComponent.get(c) ?? [])
        if (matchesDimensions(w.scope, subject)) extra.add(w);
    let allowedTime = extra.size === 0 ? this.windowCache.get(key) : undefined;
    if (!allowedTime) {
      const applicable = [
        ...this.plainWindows.filter((w) => matchesDimensions(w.scope, subject)),
        ...extra,
      ];
      allowedTime = this.allowedTime(applicable, subject.team);
      if (extra.size === 0) this.windowCache.set(key, allowedTime);
    }
    const { windows, allowed } = allowedTime;
    const hours = ownValue(this.context.teamWorkingHours, subject.team);

    let plainFreezes = this.freezeCache.get(key);
    if (!plainFreezes) {
      plainFreezes = new OverlapIndex(
        this.plainFreezes
          .filter((f) => matchesDimensions(f.scope, subject))
          .map((f) => ({ start: f.start, end: f.end, payload: f })),
      );
      this.freezeCache.set(key, plainFreezes);
    }
    const freezeIndexes = [plainFreezes];
    for (const c of reach) {
      const ix = this.componentFreezes(c);
      if (ix.size > 0) freezeIndexes.push(ix);
    }

    const maintenance: { component: string; union: IntervalUnion }[] = [];
    const seen = new Set<string>();
    const touched = subject.components.map((component) => {
      const ancestors = this.tree.ancestorsOf(component);
      for (const c of [component, ...ancestors]) {
        const union = this.maintenanceByComponent.get(c);
        if (union && !seen.has(c)) {
          seen.add(c);
          maintenance.push({ component: c, union });
        }
      }
      return { component, ancestors };
    });
    return {
      subject,
      selfId,
      windows,
      allowed,
      zone: hours?.zone,
      freezeIndexes,
      maintenance,
      touched,
    };
  }

  /**
   * The windows' union, and when some of them only allow the team's working hours, the time they
   * really allow: the other windows plus those cut to the team's hours (none without hours).
   */
  private allowedTime(
    applicable: readonly DeploymentWindowInterval[],
    team: string,
  ): { windows: IntervalUnion; allowed?: IntervalUnion } {
    const windows = new IntervalUnion(applicable);
    const wh = new IntervalUnion(applicable.filter((w) => w.teamWorkingHoursOnly));
    if (wh.size === 0) return { windows };
    const normal = new IntervalUnion(applicable.filter((w) => !w.teamWorkingHoursOnly));
    const inHours = ownValue(this.context.teamWorkingHours, team)
      ? wh.intersect(this.teamHours(team))
      : new IntervalUnion([]);
    return { windows, allowed: new IntervalUnion([...runs(normal), ...runs(inHours)]) };
  }

  private componentFreezes(component: string): OverlapIndex<FreezeInterval> {
    let ix = this.componentFreezeIndex.get(component);
    if (!ix) {
      ix = new OverlapIndex(
        (this.freezesByComponent.get(component) ?? []).map((f) => ({
          start: f.start,
          end: f.end,
          payload: f,
        })),
      );
      this.componentFreezeIndex.set(component, ix);
    }
    return ix;
  }

  private teamHours(team: string): IntervalUnion {
    let union = this.hoursCache.get(team);
    if (!union) {
      const hours = this.context.teamWorkingHours![team]!;
      union = workingHoursIntervals(
        hours,
        this.horizon.start,
        this.horizon.end,
        `teamWorkingHours.${team}`,
      );
      this.hoursCache.set(team, union);
    }
    return union;
  }

  /** The rules in the order placement checks them (cheap and coarse first). */
  readonly checks: readonly RuleCheck[] = [
    (v, s) => this.outsideWindow(v, s),
    (v, s) => this.workingHours(v, s),
    (v, s, all) => this.freeze(v, s, all),
    (v, s, all) => this.maintenance(v, s, all),
    (v, s, all) => this.componentOverlap(v, s, all),
    (v, s, all) => this.jobReservation(v, s, all),
    (v, s, all) => this.ownerBooked(v, s, all),
  ];

  /** outside-deployment-window: no allowed window of the train, team and environment holds the slot. */
  outsideWindow(view: SubjectView, slot: Interval): Violation[] {
    if (view.windows.holds(slot.start, slot.end)) return [];
    const run = view.windows.runAt(slot.start);
    return [
      {
        rule: 'outside-deployment-window',
        party: run >= 0 ? { kind: 'window', id: view.windows.ids[run] } : { kind: 'window' },
        interval: slot,
        next: view.windows.nextFit(slot.start + 1, slot.end - slot.start),
      },
    ];
  }

  /** working-hours: the window only allows the team's working hours, and the slot leaves them. */
  workingHours(view: SubjectView, slot: Interval): Violation[] {
    if (!view.allowed || view.allowed.holds(slot.start, slot.end)) return [];
    return [
      {
        rule: 'working-hours',
        party: { kind: 'working-hours', team: view.subject.team, zone: view.zone ?? '' },
        interval: slot,
        next: view.allowed.nextFit(slot.start + 1, slot.end - slot.start),
      },
    ];
  }

  /** freeze: a freeze applying to the subject overlaps the slot and no active override covers it. */
  freeze(view: SubjectView, slot: Interval, all: boolean): Violation[] {
    const found: Violation[] = [];
    const covers = this.context.overrideCovers;
    let worst: Violation | undefined;
    const seen = new Set<FreezeInterval>();
    for (const ix of view.freezeIndexes)
      ix.overlapping(slot.start, slot.end, ({ payload: f }) => {
        if (seen.has(f)) return;
        seen.add(f);
        if (ix !== view.freezeIndexes[0] && !matchesDimensions(f.scope, view.subject)) return;
        if (covers?.(f, slot, view.subject)) return;
        const v: Violation = {
          rule: 'freeze',
          party:
            f.holidayId !== undefined
              ? { kind: 'holiday', id: f.holidayId, freezeId: f.id }
              : { kind: 'freeze', id: f.id },
          interval: overlapOf(slot, f),
          next: f.end,
        };
        if (all) found.push(v);
        else if (!worst || v.next > worst.next) worst = v;
      });
    return all ? found : worst ? [worst] : [];
  }

  /**
   * maintenance: a touched component, or an ancestor of one, has maintenance windows and none of
   * them holds the slot. A chain with no maintenance windows at all is unconstrained.
   */
  maintenance(view: SubjectView, slot: Interval, all: boolean): Violation[] {
    const found: Violation[] = [];
    for (const { component, union } of view.maintenance) {
      if (union.holds(slot.start, slot.end)) continue;
      const run = union.runAt(slot.start);
      found.push({
        rule: 'maintenance',
        party:
          run >= 0
            ? { kind: 'maintenance', component, id: union.ids[run] }
            : { kind: 'maintenance', component },
        interval: slot,
        next: union.nextFit(slot.start + 1, slot.end - slot.start),
      });
      if (!all) return found;
    }
    return found;
  }

  /** component-overlap: another deployment on a touched component, its ancestor or descendant. */
  componentOverlap(view: SubjectView, slot: Interval, all: boolean): Violation[] {
    return this.occupancy(view, slot, all, this.own, this.subtree, undefined, (o) =>
      o.id === view.selfId
        ? undefined
        : {
            rule: 'component-overlap',
            party: { kind: 'deployment', id: o.id, component: o.component },
          },
    );
  }

  /** job-reservation: a declared batch job on a touched component (or parent or child) or resource. */
  jobReservation(view: SubjectView, slot: Interval, all: boolean): Violation[] {
    const resources = (view.subject.resources ?? [])
      .map((r) => this.jobByResource.get(r))
      .filter(isIndex);
    return this.occupancy(view, slot, all, this.jobOwn, this.jobSubtree, resources, (o) => ({
      rule: 'job-reservation',
      party: {
        kind: 'job',
        id: o.id,
        ...(o.component !== undefined ? { component: o.component } : { resource: o.resource! }),
      },
    }));
  }

  /** owner-booked: the owner has a booking or another deployment at the same time. */
  ownerBooked(view: SubjectView, slot: Interval, all: boolean): Violation[] {
    const owner = view.subject.owner;
    const ix = owner === undefined ? undefined : this.owners.get(owner);
    if (!ix) return [];
    return this.collect(slot, all, [ix], (o) =>
      o.deploymentId === view.selfId && o.deploymentId !== undefined
        ? undefined
        : {
            rule: 'owner-booked',
            party: {
              kind: 'owner',
              owner: owner!,
              ...(o.bookingId !== undefined
                ? { bookingId: o.bookingId }
                : { deploymentId: o.deploymentId! }),
            },
          },
    );
  }

  private occupancy<T>(
    view: SubjectView,
    slot: Interval,
    all: boolean,
    own: Map<string, OverlapIndex<T>>,
    subtree: Map<string, OverlapIndex<T>>,
    extra: readonly OverlapIndex<T>[] | undefined,
    toFinding: (payload: T) => Pick<Violation, 'rule' | 'party'> | undefined,
  ): Violation[] {
    const indexes: OverlapIndex<T>[] = [];
    for (const { component, ancestors } of view.touched) {
      const below = subtree.get(component);
      if (below) indexes.push(below);
      for (const a of ancestors) {
        const above = own.get(a);
        if (above) indexes.push(above);
      }
    }
    if (extra) indexes.push(...extra);
    return this.collect(slot, all, indexes, toFinding);
  }

  /** Every overlapping entry (all) or the one that blocks longest (placement's jump). */
  private collect<T>(
    slot: Interval,
    all: boolean,
    indexes: readonly OverlapIndex<T>[],
    toFinding: (payload: T) => Pick<Violation, 'rule' | 'party'> | undefined,
  ): Violation[] {
    const found: Violation[] = [];
    let worst: Violation | undefined;
    const seen = new Set<T>();
    for (const ix of indexes)
      ix.overlapping(slot.start, slot.end, (item) => {
        if (seen.has(item.payload)) return;
        seen.add(item.payload);
        const finding = toFinding(item.payload);
        if (!finding) return;
        const v: Violation = { ...finding, interval: overlapOf(slot, item), next: item.end };
        if (all) found.push(v);
        else if (!worst || v.next > worst.next) worst = v;
      });
    return all ? found : worst ? [worst] : [];
  }
}

const isIndex = <T>(ix: OverlapIndex<T> | undefined): ix is OverlapIndex<T> => ix !== undefined;

function index<T>(map: Map<string, OverlapIndex<T>>, key: string): OverlapIndex<T> {
  let ix = map.get(key);
  if (!ix) map.set(key, (ix = new OverlapIndex<T>()));
  return ix;
}

function runs(union: IntervalUnion): { start: number; end: number; id: string }[] {
  return union.starts.map((start, i) => ({ start, end: union.ends[i]!, id: union.ids[i]! }));
}
