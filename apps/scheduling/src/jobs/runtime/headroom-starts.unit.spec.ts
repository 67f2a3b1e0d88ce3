import { createFairSharePolicy } from '@trainyard/scheduling-domain';
import { headroomStarts, likelyHeadroomStart } from './headroom-starts';
import type { StartedRun } from './runtime-records';
import { ManifestCatalog, testManifestInput, testTask } from './test-support/manifest-catalog';

// A trigger's transaction starts its own new runs in the headroom it reserved (issue 12, the
// light team's wait under another team's flood): which of them, decided without I/O.
const catalog = new ManifestCatalog();
const light = catalog.put(testManifestInput('light.steady.job', [testTask('work', 'noop')]));
const fanOut = catalog.put(
  testManifestInput('light.fan.job', [
    testTask('a', 'noop'),
    testTask('b', 'noop'),
    { ...testTask('c', 'noop'), dependsOn: ['a'] },
  ]),
);
const now = Date.parse('2026-12-07T03:00:00Z');

const startedRun = (runId: string, job = light): StartedRun => ({
  run: {
    run_id: runId,
    job: job.name,
    job_version: job.version,
    team: job.manifest.owner,
    nominal_time: new Date(now),
    state: 'running',
    event_version: 2,
    started_at: new Date(now),
    cancelled_by: null,
    environment: 'prod',
  },
  manifest: job.manifest,
  ready: job.manifest.tasks.filter((t) => t.dependsOn.length === 0),
});

const policy = createFairSharePolicy(); // headroom 1
const keys = (starts: ReturnType<typeof headroomStarts>) =>
  starts.map((s) => `${s.run.run_id}/${s.task.id}`);

describe('headroomStarts', () => {
  it("starts the trigger's run of a team below its share while a flood holds the other workers", () => {
    const starts = headroomStarts(policy, [startedRun('r1')], { flood: 23 }, 24, 1, now);
    expect(keys(starts)).toEqual(['r1/work']);
    expect(starts[0]).toMatchObject({ attempt: 1, run: { event_version: 2 } });
  });

  // Regression: counted with the headroom worker alone, a team running one task on an otherwise
  // idle instance was over its share, and its next run waited for the dispatcher's round.
  it('counts the shares over the instance, not over the reserved worker', () => {
    expect(keys(headroomStarts(policy, [startedRun('r2')], { light: 1 }, 24, 1, now))).toEqual([
      'r2/work',
    ]);
  });

  it('starts nothing for a team at or above its share', () => {
    expect(
      headroomStarts(policy, [startedRun('r3')], { light: 12, flood: 12 }, 24, 1, now),
    ).toEqual([]);
  });

  it('starts at most the workers held, only ready tasks, in the order the policy chose', () => {
    const starts = headroomStarts(policy, [startedRun('r4', fanOut)], { flood: 20 }, 24, 1, now);
    expect(keys(starts)).toEqual(['r4/a']);
    const two = headroomStarts(policy, [startedRun('r5', fanOut)], { flood: 20 }, 24, 2, now);
    expect(keys(two).sort()).toEqual(['r5/a', 'r5/b']);
  });

  it('starts nothing without a worker held or a ready task', () => {
    expect(headroomStarts(policy, [startedRun('r6')], {}, 24, 0, now)).toEqual([]);
    expect(headroomStarts(policy, [], {}, 24, 1, now)).toEqual([]);
  });
});

describe('likelyHeadroomStart', () => {
  const pooled = catalog.put(
    testManifestInput('light.pooled.job', [
      { ...testTask('work', 'noop'), pools: [{ pool: 'db:payments', slots: 1 }] },
    ]),
  );
  const run = (runId: string, job = light) => ({ runId, job: job.name, manifest: job.manifest });

  it("is likely for a team below its share by the instance's last load", () => {
    expect(likelyHeadroomStart(policy, [run('r1')], { flood: 23 }, 24, now)).toBe(true);
    expect(likelyHeadroomStart(policy, [run('r2')], {}, 24, now)).toBe(true);
  });

  it('is not for a team at or above its share', () => {
    expect(likelyHeadroomStart(policy, [run('r3')], { light: 12, flood: 12 }, 24, now)).toBe(false);
  });

  // Its slot rows may be locked by a transaction that gives way to it.
  it('is never for a task that takes pool slots', () => {
    expect(likelyHeadroomStart(policy, [run('r4', pooled)], { flood: 23 }, 24, now)).toBe(false);
  });
});
