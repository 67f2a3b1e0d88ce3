import type { RunRow, TaskRow } from './runtime-records';
import { RunSnapshots } from './run-snapshots';

const run = (runId: string, version = 3): RunRow & { environment: string } => ({
  run_id: runId,
  job: 'ops.chain',
  job_version: 1,
  team: 'ops',
  nominal_time: new Date('2026-12-07T00:00:00Z'),
  state: 'running',
  event_version: version,
  started_at: new Date('2026-12-07T00:00:01Z'),
  cancelled_by: null,
  environment: 'prod',
});
const running = (runId: string, taskId: string): TaskRow => ({
  run_id: runId,
  task_id: taskId,
  status: 'running',
  attempt: 1,
  outcome: null,
  handled: false,
  started_at: new Date('2026-12-07T00:00:02Z'),
  lease_expires_at: new Date('2026-12-07T00:00:32Z'),
});

describe('RunSnapshots', () => {
  it('gives the decider copies: deciding over them leaves the kept state as committed', () => {
    const snapshots = new RunSnapshots(4);
    snapshots.keep(
      run('r1'),
      {
        a: { status: 'done', attempt: 1, outcome: 'succeeded' },
        b: { status: 'running', attempt: 1 },
      },
      [running('r1', 'b')],
    );
    const first = snapshots.state(['r1'])!;
    first.tasksBy.get('r1')!['b'] = { status: 'done', attempt: 1, outcome: 'succeeded' };
    first.runBy.get('r1')!.state = 'finished';
    const second = snapshots.state(['r1'])!;
    expect(second.tasksBy.get('r1')!['b']).toEqual({ status: 'running', attempt: 1 });
    expect(second.runBy.get('r1')).toMatchObject({ state: 'running', event_version: 3 });
    expect([...second.rowBy.keys()]).toEqual(['r1/b']);
  });

  it('has a state only when every run of the flush is kept', () => {
    const snapshots = new RunSnapshots(4);
    snapshots.keep(run('r1'), {}, []);
    expect(snapshots.has(['r1'])).toBe(true);
    expect(snapshots.has(['r1', 'r2'])).toBe(false);
    expect(snapshots.state(['r1', 'r2'])).toBeUndefined();
    snapshots.forget(['r1']);
    expect(snapshots.has(['r1'])).toBe(false);
  });

  it('drops the snapshot used least recently beyond its capacity', () => {
    const snapshots = new RunSnapshots(2);
    snapshots.keep(run('r1'), {}, []);
    snapshots.keep(run('r2'), {}, []);
    snapshots.keep(run('r1', 5), {}, []); // r1's next commit: now the newest
    snapshots.keep(run('r3'), {}, []);
    expect(snapshots.has(['r2'])).toBe(false);
    expect(snapshots.has(['r1', 'r3'])).toBe(true);
    expect(snapshots.state(['r1'])!.runBy.get('r1')!.event_version).toBe(5);
    expect(snapshots.size).toBe(2);
  });
});
