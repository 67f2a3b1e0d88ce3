import { Inject, Injectable } from '@nestjs/common';
import {
  coveringOverride,
  expandIntervals,
  formatUtcInstant,
  overrideCovers,
  previewSchedule,
  type CalendarEntryKind,
  type DeploymentWindowInterval,
  type FreezeInterval,
  type MaintenanceInterval,
  type PlacementSubject,
} from '@trainyard/scheduling-domain';
import type { CalendarEntryRow, FreezeOverrideRow } from '@trainyard/scheduling-read-models';
import { BASELINE_CALENDAR, type BaselineCalendar } from '../config/deployment-policies';
import { CalendarQueries } from './calendar.queries';
import { DeploymentQueries } from './deployment.queries';
import { OverrideQueries } from './override.queries';
import type { AssembledPlacement, PlacementInputsPort } from './placement-inputs.port';

const MINUTE_MS = 60_000;
const PAGE = 200;
const OVERRIDE_NAMES = { status: 'status', page: 'page', pageSize: 'pageSize' };

/** What a deployment touches, as an override's scope reads it. */
const subjectScope = (subject: PlacementSubject) => ({
  trains: [subject.train],
  teams: [subject.team],
  environments: [subject.environment],
  components: [...subject.components],
});

/**
 * Assembles the placement engine's inputs for a range: the calendar's deployment windows,
 * freezes and maintenance windows (its read model, expanded to UTC by the calendar's own
 * expansion through the one ZoneResolver), the component tree, the active freeze overrides
 * (`overrideCovers`, decided at the slot's start), and the deployments already in the calendar.
 * While the calendar defines no deployment window at all (none, whatever the range), the versioned baseline calendar's
 * windows stand in, so a fresh installation can place releases.
 */
@Injectable()
export class PlacementInputs implements PlacementInputsPort {
  constructor(
    private readonly deployments: DeploymentQueries,
    private readonly calendar: CalendarQueries,
    private readonly overrides: OverrideQueries,
    @Inject(BASELINE_CALENDAR) private readonly baseline: BaselineCalendar,
  ) {}

  private async entries(kinds: CalendarEntryKind[]): Promise<CalendarEntryRow[]> {
    const all: CalendarEntryRow[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await this.calendar.listEntries({ kinds, page, pageSize: PAGE });
      all.push(...items);
      if (page * PAGE >= total) return all;
    }
  }

  private async activeOverrides(): Promise<FreezeOverrideRow[]> {
    const all: FreezeOverrideRow[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await this.overrides.listOverrides(
        { status: 'active', page, pageSize: PAGE },
        OVERRIDE_NAMES,
      );
      all.push(...items);
      if (page * PAGE >= total) return all;
    }
  }

  private baselineWindows(from: number, to: number): DeploymentWindowInterval[] {
    return this.baseline.windows.flatMap((w) =>
      // a window that began before the range may still be open at its start
      previewSchedule({
        cron: w.cron,
        zone: w.zone,
        from: formatUtcInstant(from - w.minutes * MINUTE_MS),
        to: formatUtcInstant(to),
      }).instants.map((instant) => {
        const start = Date.parse(instant);
        return {
          id: w.id,
          scope: { ...w.scope },
          start,
          end: start + w.minutes * MINUTE_MS,
          ...(w.teamWorkingHoursOnly ? { teamWorkingHoursOnly: true } : {}),
        };
      }),
    );
  }

  async assemble(range: {
    readonly from: number;
    readonly to: number;
  }): Promise<AssembledPlacement> {
    const [rows, overrides, tree, scheduledRows] = await Promise.all([
      this.entries(['deployment-window', 'freeze', 'maintenance-window']),
      this.activeOverrides(),
      this.calendar.componentTree(),
      this.deployments.scheduledBetween(formatUtcInstant(range.from), formatUtcInstant(range.to)),
    ]);
    // An occurrence that began up to a day before the range may still be open in it.
    const expand = (row: CalendarEntryRow) =>
      expandIntervals(row.definition, range.from - 86_400_000, range.to).map((i) => ({
        id: row.entryId,
        scope: row.definition.scope,
        start: i.start,
        end: i.end,
      }));
    const windows: DeploymentWindowInterval[] = rows
      .filter((r) => r.kind === 'deployment-window')
      .flatMap((r) =>
        expand(r).map((i) => ({
          ...i,
          ...(r.definition.teamWorkingHoursOnly ? { teamWorkingHoursOnly: true } : {}),
        })),
      );
    const freezes: FreezeInterval[] = rows.filter((r) => r.kind === 'freeze').flatMap(expand);
    const maintenanceWindows: MaintenanceInterval[] = rows
      .filter((r) => r.kind === 'maintenance-window')
      .flatMap(expand);
    const componentParents: Record<string, string> = { ...this.baseline.componentParents };
    for (const row of await this.calendar
      .listComponents({ page: 1, pageSize: PAGE })
      .then((p) => p.items)) {
      const parent = tree.parentOf(row.componentId);
      if (parent) componentParents[row.componentId] = parent;
    }
    return {
      deploymentWindows: windows.length > 0 ? windows : this.baselineWindows(range.from, range.to),
      freezes,
      overrideCovers: (freeze, slot, subject) =>
        overrideCovers(overrides, subjectScope(subject), slot, slot.start, freeze.id),
      coveringOverride: (freeze, slot, subject) =>
        coveringOverride(overrides, subjectScope(subject), slot, slot.start, freeze.id),
      maintenanceWindows,
      componentParents,
      scheduled: scheduledRows.map((d) => ({
        id: d.deploymentId,
        start: Date.parse(d.startAt),
        end: Date.parse(d.endAt),
        components: d.components,
        ...(d.owner ? { owner: d.owner } : {}),
      })),
    };
  }
}
