import { ownValue } from '@trainyard/kernel';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import {
  createFairSharePolicy,
  expandOccurrences,
  HIGH_LOAD_ENTRY_KIND,
  reservedSlots,
  type DispatchPolicy,
  type HighLoadPeriod,
} from '@trainyard/scheduling-domain';
import {
  CalendarEntryView,
  JobPoolView,
  TeamWeightView,
  type JobPoolRow,
} from '@trainyard/scheduling-read-models';
import { In } from 'typeorm';
import { SchedulingReadSide } from '../../projections/scheduling-read-side';
import { PgPoolSlots } from './pg-pool-slots';

export const DEFAULT_TEAM_WEIGHT = 1;

export interface ActiveHighLoad extends HighLoadPeriod {
  readonly calendarEntryId: string;
  readonly start: string;
  readonly end: string;
}

export interface PoolStatusView {
  readonly pool: JobPoolRow;
  readonly held: number;
  readonly holders: number;
  readonly utilisation: number;
  readonly reservedNow: number;
}

export interface TeamShareView {
  readonly team: string;
  readonly weight: number;
  readonly waiting: number;
  readonly running: number;
}

export interface FairnessView {
  readonly teams: readonly TeamShareView[];
  readonly defaultWeight: number;
  readonly highLoadPeriods: readonly ActiveHighLoad[];
}

/** Pools with their utilisation, team shares, the high-load periods active now, the fair-share policy. */
@Injectable()
export class PoolQueries {
  private readonly schema: string;

  constructor(
    private readonly readSide: SchedulingReadSide,
    private readonly slots: PgPoolSlots,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.schema = config.DATABASE_SCHEMA;
  }

  private get manager() {
    return this.readSide.dataSource.manager;
  }

  async pools(): Promise<JobPoolRow[]> {
    await this.readSide.catchUp();
    return this.manager.find(JobPoolView, { order: { poolKey: 'ASC' } });
  }

  /**
   * The high-load periods active at `now`: every holiday entry a pool's reservation names whose
   * occurrence covers `now`, with the slots it reserves per pool.
   */
  async activeHighLoad(now: string, pools?: readonly JobPoolRow[]): Promise<ActiveHighLoad[]> {
    const rows = pools ?? (await this.pools());
    const byEntry = new Map<string, Record<string, number>>();
    for (const p of rows)
      for (const r of p.highLoadReservations)
        byEntry.set(r.calendarEntryId, {
          ...(byEntry.get(r.calendarEntryId) ?? {}),
          [p.poolKey]: r.criticalSlots,
        });
    if (byEntry.size === 0) return [];
    const entries = await this.manager.findBy(CalendarEntryView, {
      entryId: In([...byEntry.keys()]),
      retired: false,
      kind: HIGH_LOAD_ENTRY_KIND,
    });
    const at = Date.parse(now);
    const active: ActiveHighLoad[] = [];
    for (const entry of entries.sort((a, b) => (a.entryId < b.entryId ? -1 : 1))) {
      const [occurrence] = expandOccurrences(entry.definition, at, at + 1, { mode: 'overlap' });
      if (occurrence)
        active.push({
          calendarEntryId: entry.entryId,
          name: entry.name,
          start: occurrence.start,
          end: occurrence.end,
          reservedByPool: byEntry.get(entry.entryId) ?? {},
        });
    }
    return active;
  }

  async listPools(now: string): Promise<PoolStatusView[]> {
    const rows = await this.pools();
    const [usage, highLoad] = await Promise.all([
      this.slots.usage(),
      this.activeHighLoad(now, rows),
    ]);
    const used = new Map(usage.map((u) => [u.poolKey, u]));
    const reserved = reservedSlots(highLoad);
    return rows.map((pool) => {
      const u = used.get(pool.poolKey);
      const held = u?.held ?? 0;
      return {
        pool,
        held,
        holders: u?.holders ?? 0,
        utilisation: pool.slots > 0 ? held / pool.slots : 0,
        reservedNow: Math.min(pool.slots, reserved[pool.poolKey] ?? 0),
      };
    });
  }

  async weights(): Promise<Record<string, number>> {
    await this.readSide.catchUp();
    const rows = await this.manager.find(TeamWeightView);
    return Object.fromEntries(rows.map((r) => [r.team, r.weight]));
  }

  /** Tasks waiting and running per team, from the runtime's `job_task_runs` when it exists. */
  private async load(): Promise<Map<string, { waiting: number; running: number }>> {
    const table = `"${this.schema}".job_task_runs`;
    const { rows: exists } = await this.pool.query<{ t: string | null }>(
      `SELECT to_regclass($1) AS t`,
      [table],
    );
    if (!exists[0]?.t) return new Map();
    const { rows } = await this.pool.query<{ team: string; waiting: number; running: number }>(
      `SELECT team, count(*) FILTER (WHERE status = 'ready')::int AS waiting,
              count(*) FILTER (WHERE status = 'running')::int AS running
         FROM ${table} WHERE status IN ('ready', 'running') GROUP BY team`,
    );
    return new Map(rows.map((r) => [r.team, { waiting: r.waiting, running: r.running }]));
  }

  async fairness(now: string): Promise<FairnessView> {
    const [weights, load, highLoadPeriods] = await Promise.all([
      this.weights(),
      this.load(),
      this.activeHighLoad(now),
    ]);
    const teams = [...new Set([...Object.keys(weights), ...load.keys()])].sort();
    return {
      teams: teams.map((team) => ({
        team,
        weight: ownValue(weights, team) ?? DEFAULT_TEAM_WEIGHT,
        waiting: load.get(team)?.waiting ?? 0,
        running: load.get(team)?.running ?? 0,
      })),
      defaultWeight: DEFAULT_TEAM_WEIGHT,
      highLoadPeriods,
    };
  }

  async team(team: string): Promise<TeamShareView> {
    const [weights, load] = await Promise.all([this.weights(), this.load()]);
    return {
      team,
      weight: ownValue(weights, team) ?? DEFAULT_TEAM_WEIGHT,
      waiting: load.get(team)?.waiting ?? 0,
      running: load.get(team)?.running ?? 0,
    };
  }

  /** The fair-share dispatch policy for a round at `now`: the weights and the active high-load periods. */
  async dispatchPolicy(now: string): Promise<DispatchPolicy> {
    const [weights, highLoad] = await Promise.all([this.weights(), this.activeHighLoad(now)]);
    return createFairSharePolicy({ weights, defaultWeight: DEFAULT_TEAM_WEIGHT, highLoad });
  }
}
