import { slaCandidatesOf, type SlaCandidate, type SlaCandidateTask } from './sla-candidates';

interface Run {
  readonly runId: string;
  readonly job: string;
}

const candidate = (runId: string): Omit<SlaCandidate<Run>, 'tasks'> => ({
  run: { runId, job: `finance.${runId}` },
  slaSeconds: 3600,
  dag: [
    { id: 'extract', dependsOn: [] },
    { id: 'load', dependsOn: ['extract'] },
  ],
  predictedLate: runId === 'R-late',
});

const task = (
  runId: string,
  taskId: string,
  state = 'running',
): SlaCandidateTask & { runId: string } => ({
  runId,
  taskId,
  state,
  startedAt: state === 'running' ? '2031-05-31T22:20:00.000Z' : null,
});

describe('SLA candidates (issue 12 item 5)', () => {
  it('given runs and their tasks: each run carries its own tasks, in the order recorded', () => {
    const out = slaCandidatesOf(
      [candidate('R-1'), candidate('R-2')],
      [task('R-2', 'extract', 'succeeded'), task('R-1', 'extract'), task('R-2', 'load')],
    );
    expect(out).toEqual([
      {
        ...candidate('R-1'),
        tasks: [{ taskId: 'extract', state: 'running', startedAt: '2031-05-31T22:20:00.000Z' }],
      },
      {
        ...candidate('R-2'),
        tasks: [
          { taskId: 'extract', state: 'succeeded', startedAt: null },
          { taskId: 'load', state: 'running', startedAt: '2031-05-31T22:20:00.000Z' },
        ],
      },
    ]);
  });

  it('given a run no task of which has started: no tasks (not missing)', () => {
    expect(slaCandidatesOf([candidate('R-1')], [])).toEqual([{ ...candidate('R-1'), tasks: [] }]);
  });

  it("given a task of a run that is not a candidate: it is nobody's", () => {
    const out = slaCandidatesOf([candidate('R-1')], [task('R-other', 'extract')]);
    expect(out.map((c) => c.tasks)).toEqual([[]]);
  });

  it('keeps the runs in the order given and each run as given (the watch reads its fields)', () => {
    const runs = [candidate('R-late'), candidate('R-1')];
    const out = slaCandidatesOf(runs, []);
    expect(out.map((c) => c.run)).toEqual(runs.map((c) => c.run));
    expect(out.map((c) => c.predictedLate)).toEqual([true, false]);
  });

  it('given no runs: nothing', () => {
    expect(slaCandidatesOf([], [task('R-1', 'extract')])).toEqual([]);
  });
});
