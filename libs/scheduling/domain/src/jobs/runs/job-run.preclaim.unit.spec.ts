import type { JobManifest, JobTask } from '../job-manifest';
import {
  mayFireFromMemory,
  preclaimExpiry,
  preclaimObstacle,
  shouldPreclaim,
} from './job-run.preclaim';

const task = (id: string, extra: Partial<JobTask> = {}): JobTask => ({
  id,
  executor: { kind: 'command', program: 'noop', args: [] },
  dependsOn: [],
  trigger: 'all-succeeded',
  timeoutSeconds: 60,
  ...extra,
});
const manifestOf = (extra: Partial<JobManifest> = {}, ...tasks: JobTask[]): JobManifest => ({
  name: 'ops.cron.tidy',
  owner: 'ops',
  criticality: 'low',
  parameters: {},
  environments: { dev: {}, staging: {}, prod: {} },
  tasks: tasks.length > 0 ? tasks : [task('a')],
  ...extra,
});
const NOMINAL = Date.parse('2026-12-01T09:00:00.000Z');

describe('preclaimObstacle', () => {
  it('none for a plain job, nor for pools on a task that is not a root', () => {
    expect(preclaimObstacle(manifestOf())).toBeUndefined();
    expect(
      preclaimObstacle(
        manifestOf(
          {},
          task('a'),
          task('b', { dependsOn: ['a'], pools: [{ pool: 'db', slots: 1 }] }),
        ),
      ),
    ).toBeUndefined();
  });

  it('a run gate, backpressure or a root task taking pool slots is decided at the start time', () => {
    expect(preclaimObstacle(manifestOf({ components: ['ledger'] }))).toBe('run gate (components)');
    expect(
      preclaimObstacle(
        manifestOf({
          backpressure: [{ kind: 'kafka-lag', groupId: 'g', topic: 't', maxLag: 10 }],
        }),
      ),
    ).toBe('backpressure');
    expect(preclaimObstacle(manifestOf({}, task('a', { pools: [{ pool: 'db', slots: 1 }] })))).toBe(
      'pool slots',
    );
  });
});

describe('mayFireFromMemory', () => {
  const expires = preclaimExpiry(NOMINAL, 5_000);

  it('the lease runs out graceMs after the start time', () => {
    expect(expires).toBe(NOMINAL + 5_000);
  });

  it('fires while the holder is more than the margin short of the expiry', () => {
    expect(mayFireFromMemory(NOMINAL, expires, 2_000)).toBe(true);
    expect(mayFireFromMemory(NOMINAL + 2_999, expires, 2_000)).toBe(true);
  });

  // A holder that stalled must leave the run to the takeover: at the margin it no longer fires,
  // though the lease has not expired on its own clock yet.
  it('does not fire within the margin of the expiry, nor after it', () => {
    expect(mayFireFromMemory(NOMINAL + 3_000, expires, 2_000)).toBe(false);
    expect(mayFireFromMemory(NOMINAL + 4_999, expires, 2_000)).toBe(false);
    expect(mayFireFromMemory(NOMINAL + 60_000, expires, 2_000)).toBe(false);
  });
});

describe('shouldPreclaim', () => {
  const slot = {
    nominalMs: NOMINAL,
    nowMs: NOMINAL - 2_000,
    overlap: 'start' as const,
    manifest: manifestOf(),
    executes: true,
    graceMs: 5_000,
  };

  it('a slot ahead that the overlap policy starts, of a plain job, on an executing instance', () => {
    expect(shouldPreclaim(slot)).toBe(true);
  });

  it('not a slot already due (it starts at once on the existing path)', () => {
    expect(shouldPreclaim({ ...slot, nowMs: NOMINAL })).toBe(false);
    expect(shouldPreclaim({ ...slot, nowMs: NOMINAL + 10 })).toBe(false);
  });

  it('not a buffered or otherwise decided slot, nor a job with an obstacle', () => {
    expect(shouldPreclaim({ ...slot, overlap: 'other' })).toBe(false);
    expect(shouldPreclaim({ ...slot, manifest: manifestOf({ components: ['ledger'] }) })).toBe(
      false,
    );
  });

  it('not on a schedule-only instance, nor when pre-claims are off (grace 0)', () => {
    expect(shouldPreclaim({ ...slot, executes: false })).toBe(false);
    expect(shouldPreclaim({ ...slot, graceMs: 0 })).toBe(false);
  });
});
