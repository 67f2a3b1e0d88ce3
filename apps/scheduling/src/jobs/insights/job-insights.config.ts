import { unsetWhenEmpty } from '@trainyard/platform';
import { z } from 'zod';

/**
 * Job time and operations settings, part of the scheduling service's settings (validated at start):
 *
 * - `JOB_SLA_WATCH_INTERVAL_MS`: how often the SLA watch looks at active runs (default 30 s;
 *   0 turns the sweeper off, e.g. in a read-only replica).
 * - `JOB_SLA_LOOKBACK_HOURS`: deadlines older than this are not judged (default 24): a fresh
 *   installation does not alert on history.
 * - `JOB_DURATION_HISTORY_DAYS`: task durations of the last N days give the p50s (default 30).
 * - `JOB_ZOMBIE_DAYS`: a job with no successful or needed run in N days is a zombie (default 30).
 * - `JOB_KNOWN_TEAMS`: comma-separated teams that exist. Scheduling and planning keep no team
 *   directory, so this list is the operator's; empty (default): "owner team gone" is not judged.
 */
export interface JobInsightsConfig {
  readonly slaWatchIntervalMs: number;
  readonly slaLookbackHours: number;
  readonly durationHistoryDays: number;
  readonly zombieDays: number;
  readonly knownTeams?: readonly string[];
}

export const JOB_INSIGHTS_CONFIG = Symbol('scheduling.job-insights-config');

const whole = (what: string, min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int(`expected whole ${what}`)
    .min(min, `expected at least ${min} ${what}`)
    .max(max, `expected at most ${max} ${what}`)
    .default(fallback);
const wholeSetting = (what: string, min: number, max: number, fallback: number) =>
  unsetWhenEmpty(whole(what, min, max, fallback));

const TEAM = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const JOB_INSIGHTS_SETTINGS = {
  JOB_SLA_WATCH_INTERVAL_MS: unsetWhenEmpty(
    whole('milliseconds', 0, 86_400_000, 30_000).refine(
      (v) => v === 0 || v >= 100,
      'expected 0 (off) or at least 100 milliseconds',
    ),
  ),
  JOB_SLA_LOOKBACK_HOURS: wholeSetting('hours', 1, 24 * 366, 24),
  JOB_DURATION_HISTORY_DAYS: wholeSetting('days', 1, 3650, 30),
  JOB_ZOMBIE_DAYS: wholeSetting('days', 1, 3650, 30),
  JOB_KNOWN_TEAMS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const teams = value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      for (const team of teams)
        if (!TEAM.test(team))
          ctx.addIssue({ code: 'custom', message: `expected team names; got ${team}` });
      return teams;
    }),
};

export type JobInsightsSettings = z.infer<z.ZodObject<typeof JOB_INSIGHTS_SETTINGS>>;

export const jobInsightsConfigOf = (c: JobInsightsSettings): JobInsightsConfig => ({
  slaWatchIntervalMs: c.JOB_SLA_WATCH_INTERVAL_MS,
  slaLookbackHours: c.JOB_SLA_LOOKBACK_HOURS,
  durationHistoryDays: c.JOB_DURATION_HISTORY_DAYS,
  zombieDays: c.JOB_ZOMBIE_DAYS,
  ...(c.JOB_KNOWN_TEAMS.length > 0 ? { knownTeams: c.JOB_KNOWN_TEAMS } : {}),
});
