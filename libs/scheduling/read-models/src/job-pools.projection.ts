import { rowView, type ProjectionDefinition, type ProjectionSource } from '@trainyard/kernel';
import type { JobPoolPut, TeamWeightSet } from '@trainyard/scheduling-domain';
import type { JobPoolRow, TeamWeightRow } from './job-pool-view.entity';

export type JobPoolsProjectedEvent = {
  readonly event: JobPoolPut | TeamWeightSet;
  readonly streamVersion: number;
};

/** The checkpoint's name: versioned, so a changed fold is a new projection rebuilt from the start. */
export const JOB_POOLS_PROJECTION = 'scheduling.job-pools.v1';

export const evolveJobPoolRow = (
  row: JobPoolRow | undefined,
  { event, streamVersion }: JobPoolsProjectedEvent,
): JobPoolRow | undefined => {
  if (event.type !== 'JobPoolPut') return row;
  const { pool, putBy, putAt } = event.data;
  return {
    poolKey: pool.key,
    slots: pool.slots,
    highLoadReservations: pool.highLoadReservations.map((r) => ({ ...r })),
    description: pool.description ?? null,
    definedBy: row?.definedBy ?? putBy,
    definedAt: row?.definedAt ?? putAt,
    updatedBy: putBy,
    updatedAt: putAt,
    version: streamVersion,
  };
};

export const evolveTeamWeightRow = (
  row: TeamWeightRow | undefined,
  { event, streamVersion }: JobPoolsProjectedEvent,
): TeamWeightRow | undefined => {
  if (event.type !== 'TeamWeightSet') return row;
  return {
    team: event.data.team,
    weight: event.data.weight,
    updatedBy: event.data.setBy,
    updatedAt: event.data.setAt,
    version: streamVersion,
  };
};

export const jobPoolsProjection: ProjectionDefinition<JobPoolsProjectedEvent> = {
  name: JOB_POOLS_PROJECTION,
  eventTypes: ['JobPoolPut', 'TeamWeightSet'],
  toEvent: (stored: ProjectionSource) => ({
    event: { type: stored.type, data: stored.data } as JobPoolPut | TeamWeightSet,
    streamVersion: stored.streamVersion,
  }),
  streamVersionOf: (e) => e.streamVersion,
  views: [
    rowView<JobPoolsProjectedEvent, JobPoolRow>({
      table: 'job_pools',
      keyOf: ({ event }) => (event.type === 'JobPoolPut' ? event.data.pool.key : undefined),
      fold: evolveJobPoolRow,
      versionOf: (row) => row.version,
    }),
    rowView<JobPoolsProjectedEvent, TeamWeightRow>({
      table: 'job_team_weights',
      keyOf: ({ event }) => (event.type === 'TeamWeightSet' ? event.data.team : undefined),
      fold: evolveTeamWeightRow,
      versionOf: (row) => row.version,
    }),
  ],
};
