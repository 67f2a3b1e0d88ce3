import type { JobConcurrency, JobManifest, TaskRetries } from './job-manifest.types';

/** Defaults of the optional fields, applied by readers (never written into the manifest, so the digest of a manifest is the digest of what its author wrote). */
export const DEFAULT_JOB_CONCURRENCY: JobConcurrency = { maxActiveRuns: 1, overlap: 'skip' };
export const DEFAULT_JOB_PRIORITY = 50;
export const jobConcurrency = (m: Pick<JobManifest, 'concurrency'>): JobConcurrency =>
  m.concurrency ?? DEFAULT_JOB_CONCURRENCY;
export const jobPriority = (m: Pick<JobManifest, 'priority'>): number =>
  m.priority ?? DEFAULT_JOB_PRIORITY;
export const jobCatchUpSeconds = (m: Pick<JobManifest, 'catchUpSeconds'>): number =>
  m.catchUpSeconds ?? 0;
export const jobStartJitterSeconds = (m: Pick<JobManifest, 'startJitterSeconds'>): number =>
  m.startJitterSeconds ?? 0;
/** Full jitter on retry delays unless the task turns it off. */
export const retryJitter = (r: TaskRetries): boolean => r.jitter ?? true;
