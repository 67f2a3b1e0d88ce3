import { Inject, Injectable } from '@nestjs/common';
import {
  formatUtcInstant,
  previewSchedule,
  type DeploymentWindowInterval,
  type PlacementContext,
} from '@trainyard/scheduling-domain';
import { BASELINE_CALENDAR, type BaselineCalendar } from '../config/deployment-policies';
import { DeploymentQueries } from './deployment.queries';
import type { PlacementInputsPort } from './placement-inputs.port';

const MINUTE_MS = 60_000;

/**
 * Assembles the placement engine's inputs for a range: the deployment windows (the baseline
 * calendar's, expanded through the one ZoneResolver), and the deployments already in the calendar.
 * Freezes, maintenance windows and overrides join here when their read models are merged
 * (see docs/readme-fragments/dur.md).
 */
@Injectable()
export class PlacementInputs implements PlacementInputsPort {
  constructor(
    private readonly queries: DeploymentQueries,
    @Inject(BASELINE_CALENDAR) private readonly calendar: BaselineCalendar,
  ) {}

  async assemble(range: { readonly from: number; readonly to: number }): Promise<PlacementContext> {
    const from = formatUtcInstant(range.from);
    const to = formatUtcInstant(range.to);
    const deploymentWindows: DeploymentWindowInterval[] = this.calendar.windows.flatMap((w) =>
      // a window that began before the range may still be open at its start
      previewSchedule({
        cron: w.cron,
        zone: w.zone,
        from: formatUtcInstant(range.from - w.minutes * MINUTE_MS),
        to,
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
    const scheduled = (await this.queries.scheduledBetween(from, to)).map((d) => ({
      id: d.deploymentId,
      start: Date.parse(d.startAt),
      end: Date.parse(d.endAt),
      components: d.components,
      ...(d.owner ? { owner: d.owner } : {}),
    }));
    return {
      deploymentWindows,
      freezes: [],
      maintenanceWindows: [],
      componentParents: this.calendar.componentParents,
      scheduled,
    };
  }
}
