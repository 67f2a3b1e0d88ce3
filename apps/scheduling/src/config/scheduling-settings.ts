import { z } from 'zod';
import { kafkaTopicSetting, wholeNumberSetting, type ServiceConfigWith } from '@trainyard/platform';
import { PLANNING_EVENTS_TOPIC } from '@trainyard/planning-contracts';
import { DEFAULT_ADMISSION_LIMITS } from '@trainyard/scheduling-domain';
import { ICALENDAR_SETTINGS } from '../icalendar/icalendar.config';
import { EXECUTORS_SETTINGS } from '../jobs/executors/executors.config';
import { JOB_INSIGHTS_SETTINGS } from '../jobs/insights/job-insights.config';
import { SECRETS_SETTINGS } from '../jobs/secrets/key-ring.config';

/**
 * The scheduling service's own settings, validated with the platform's at start (a wrong value is
 * named and the process exits 78) and injected as part of SERVICE_CONFIG: no provider reads
 * process.env. Each feature's variables are declared beside the feature; the rest here.
 * docs/readme-fragments/configs.md lists them all.
 */
export const schedulingSettings = z.object({
  // Admission control of the job runtime's run queues (issue 12): runs waiting per team / per job.
  SCHEDULING_MAX_QUEUED_RUNS_PER_TEAM: wholeNumberSetting(
    'runs',
    1,
    999_999_999,
    DEFAULT_ADMISSION_LIMITS.maxQueuedPerTeam,
  ),
  SCHEDULING_MAX_QUEUED_RUNS_PER_JOB: wholeNumberSetting(
    'runs',
    1,
    999_999_999,
    DEFAULT_ADMISSION_LIMITS.maxQueuedPerJob,
  ),
  // Another topic carrying planning's events (tests use their own).
  SCHEDULING_PLANNING_TOPIC: kafkaTopicSetting(PLANNING_EVENTS_TOPIC),
  // How often the expiry sweeper looks for overrides past `to`. Nothing depends on its
  // punctuality: an override stops lifting its freeze at `to` by itself (isOverrideActive).
  OVERRIDE_SWEEP_INTERVAL_MS: wholeNumberSetting('milliseconds', 10, 86_400_000, 60_000),
  ...JOB_INSIGHTS_SETTINGS,
  ...ICALENDAR_SETTINGS,
  ...EXECUTORS_SETTINGS,
  ...SECRETS_SETTINGS,
});

export type SchedulingSettings = z.infer<typeof schedulingSettings>;
export type SchedulingConfig = ServiceConfigWith<SchedulingSettings>;
