import { taskDepths, tasksInDependencyOrder } from './task-graph';

describe('task graph order and depth', () => {
  it('given a DAG, then dependencies come first (ties by id) and depth is the longest chain above', () => {
    const tasks = [
      { id: 'report', dependsOn: ['settle', 'export'] },
      { id: 'settle', dependsOn: ['export'] },
      { id: 'export', dependsOn: [] },
      { id: 'audit', dependsOn: ['missing'] },
    ];
    expect(tasksInDependencyOrder(tasks).map((t) => t.id)).toEqual([
      'audit',
      'export',
      'settle',
      'report',
    ]);
    expect(Object.fromEntries(taskDepths(tasks))).toEqual({
      audit: 0,
      export: 0,
      settle: 1,
      report: 2,
    });
  });

  it('given a cycle, then its tasks and those depending on it come last by id, at depth 0', () => {
    const tasks = [
      { id: 'b', dependsOn: ['a'] },
      { id: 'a', dependsOn: ['b'] },
      { id: 'c', dependsOn: ['a'] },
      { id: 'root', dependsOn: [] },
    ];
    expect(tasksInDependencyOrder(tasks).map((t) => t.id)).toEqual(['root', 'a', 'b', 'c']);
    expect(Object.fromEntries(taskDepths(tasks))).toEqual({ root: 0, a: 0, b: 0, c: 0 });
  });
});
