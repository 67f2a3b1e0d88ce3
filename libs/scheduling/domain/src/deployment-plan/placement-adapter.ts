import { placeDeployments } from '../placement/place-deployments';
import type {
  ConflictParty,
  PlacementContext,
  Rejection,
  ScheduledDeployment,
} from '../placement/placement.types';
import { formatUtcInstant } from '../time/civil-date';
import type { RejectedSlot } from './deployment-plan.events';
import type { PlaceSlot } from './slot-placement';

/** The other party of a rejection in words, as events and the plan print it. */
export const describeParty = (party: ConflictParty): string => {
  switch (party.kind) {
    case 'window':
      return party.id ? `deployment window ${party.id}` : 'no deployment window';
    case 'working-hours':
      return `working hours of team ${party.team} (${party.zone})`;
    case 'freeze':
      return `freeze ${party.id}`;
    case 'holiday':
      return `holiday ${party.id} (freeze ${party.freezeId})`;
    case 'maintenance':
      return party.id
        ? `maintenance window ${party.id} of ${party.component}`
        : `no maintenance window of ${party.component}`;
    case 'deployment':
      return `deployment ${party.id} on ${party.component}`;
    case 'job':
      return `job ${party.id}${party.component ? ` on ${party.component}` : ''}${party.resource ? ` using ${party.resource}` : ''}`;
    case 'owner':
      return `owner ${party.owner} already booked${party.deploymentId ? ` for ${party.deploymentId}` : party.bookingId ? ` (${party.bookingId})` : ''}`;
    case 'deadline':
      return `deadline ${formatUtcInstant(party.deadline)}`;
    case 'blast-radius':
      return `blast-radius limit ${party.limit} at ${party.component}`;
    default: {
      const unknown: never = party;
      return String(unknown);
    }
  }
};

const rejectedSlot = (r: Rejection): RejectedSlot => ({
  start: formatUtcInstant(r.candidate.start),
  end: formatUtcInstant(r.candidate.end),
  rule: r.rule,
  party: describeParty(r.party),
});

/**
 * The deployment plan's placement over one assembled calendar: the pure engine
 * (`placeDeployments`), with the plan's earlier deployments added to the calendar's and the ones
 * being re-placed taken out of it.
 */
export const slotPlacementOver =
  (context: PlacementContext): PlaceSlot =>
  (request) => {
    const replacing = new Set(request.replacing);
    const scheduled: ScheduledDeployment[] = [
      ...(context.scheduled ?? []).filter((s) => !replacing.has(s.id)),
      ...request.placedBefore.map((p) => ({
        id: p.deploymentId,
        start: p.start,
        end: p.end,
        components: p.components,
        ...(p.owner === undefined ? {} : { owner: p.owner }),
      })),
    ];
    const [outcome] = placeDeployments(
      [
        {
          id: request.deploymentId,
          releaseId: request.releaseId,
          workloadId: request.workloadId,
          train: request.train,
          team: request.team,
          environment: request.environment,
          components: request.components,
          ...(request.owner === undefined ? {} : { owner: request.owner }),
          expectedDurationMs: request.expectedDurationMs,
          earliestStart: request.earliestStart,
          deadline: request.deadline,
        },
      ],
      { ...context, scheduled },
    );
    if (!outcome)
      return {
        status: 'unplaced',
        rule: 'deadline',
        message: 'Placement gave no answer.',
        rejected: [],
      };
    const rejected = outcome.rejected.map(rejectedSlot);
    return outcome.status === 'placed'
      ? { status: 'placed', start: outcome.slot.start, end: outcome.slot.end, rejected }
      : {
          status: 'unplaced',
          rule: outcome.reason.rule,
          message: outcome.reason.message,
          rejected,
        };
  };
