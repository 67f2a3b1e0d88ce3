import { validateJobManifest, type JobManifest } from './job-manifest';
import { diffJobManifests, formatJobManifestDiff } from './job-manifest.diff';
import { validManifestInput } from './job-manifest.fixtures';

const manifest = (overrides: Record<string, unknown> = {}): JobManifest => {
  const result = validateJobManifest(validManifestInput(overrides));
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.manifest;
};

describe('diffJobManifests', () => {
  it('is empty for the same manifest', () => {
    expect(diffJobManifests(manifest(), manifest())).toEqual([]);
  });

  it('names added, removed and changed paths with old and new values, tasks by id', () => {
    const running = manifest();
    const tasks = (validManifestInput().tasks as Record<string, unknown>[]).filter(
      (t) => t.id !== 'notify',
    );
    tasks[0] = { ...tasks[0], timeoutSeconds: 900 };
    tasks.push({
      id: 'archive',
      dependsOn: ['export'],
      executor: { kind: 'command', program: 'file-archive', args: [] },
      timeoutSeconds: 60,
    });
    const proposed = manifest({ tasks, schedule: { everySeconds: 3600 } });
    const changes = diffJobManifests(running, proposed);
    expect(changes).toEqual([
      { op: 'removed', path: 'schedule.cron', old: '30 2 1 * *' },
      { op: 'added', path: 'schedule.everySeconds', new: 3600 },
      { op: 'removed', path: 'schedule.zone', old: 'Europe/Berlin' },
      { op: 'added', path: 'tasks[archive]', new: expect.objectContaining({ id: 'archive' }) },
      { op: 'removed', path: 'tasks[notify]', old: expect.objectContaining({ id: 'notify' }) },
      { op: 'changed', path: 'tasks[settle].timeoutSeconds', old: 600, new: 900 },
    ]);
    expect(formatJobManifestDiff(changes)).toContain('~ tasks[settle].timeoutSeconds: 600 → 900');
    expect(formatJobManifestDiff(changes)).toContain('- schedule.zone: "Europe/Berlin"');
  });

  it('shows every field as added for a new job', () => {
    const paths = diffJobManifests(undefined, manifest()).map((c) => c.path);
    expect(paths).toEqual([
      'criticality',
      'environments',
      'name',
      'owner',
      'parameters',
      'schedule',
      'tasks',
    ]);
  });
});
