import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestContext,
  startTestService,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { schedulingService } from '../../apps/scheduling/src/scheduling.service';

/**
 * The real CLI (`npx tsx`, as an operator runs it) against a started scheduling service: diff,
 * apply (a prod change becomes a proposal), a re-apply changes nothing, and a manifest with a
 * problem is refused offline with nothing sent.
 */
const ROOT = join(__dirname, '../..');
const run = (args: string[]): Promise<{ code: number; stdout: string }> =>
  new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'tools/scripts/jobs-apply.ts', ...args],
      { cwd: ROOT, env: { ...process.env, TRAINYARD_TOKEN: '' } },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });

const manifest = (prodBatch: number) => `
name: ops.cleanup.vacuum-cli
owner: ops
criticality: low
parameters: { batch: number }
environments: { dev: { batch: 1 }, staging: { batch: 2 }, prod: { batch: ${prodBatch} } }
tasks:
  - id: vacuum
    executor: { kind: command, program: db-vacuum, args: ['--batch', '{{batch}}'] }
    timeoutSeconds: 600
`;

describe('npm run jobs:apply / jobs:diff against a running service', () => {
  let ctx: TestContext;
  let service: TestService;
  let dir: string;
  let token: string;
  const rows = async () =>
    (
      await ctx.pool.query<{ name: string; proposal_digest: string | null }>(
        'SELECT name, proposal_digest FROM job_definitions',
      )
    ).rows;

  beforeAll(async () => {
    ctx = await createTestContext('sched_jobs_cli');
    // The file's own planning topic: on a fresh broker the shared one does not exist yet.
    service = await startTestService(schedulingService, ctx, {
      SCHEDULING_PLANNING_TOPIC: await ctx.createTopic('planning-events'),
    });
    token = await service.token('release-manager');
    dir = mkdtempSync(join(tmpdir(), 'jobs-apply-'));
  }, 180_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await service?.stop();
    await ctx?.dispose();
  });

  it('diffs, applies as a proposal, and refuses a bad manifest offline', async () => {
    const file = join(dir, 'vacuum.yaml');
    writeFileSync(file, manifest(100));
    const address = ['--address', service.grpcAddress, '--token', token];

    const diff = await run(['--diff-only', ...address, file]);
    expect(diff.stdout).toContain('ops.cleanup.vacuum-cli against version 0, needs approval');
    expect(diff.stdout).toContain('+ tasks: {"vacuum"');
    expect(diff.code).toBe(0);
    expect(await rows()).toEqual([]);

    const applied = await run([...address, '--reason', 'nightly vacuum', file]);
    expect(applied.stdout).toMatch(/ops\.cleanup\.vacuum-cli proposed as sha256:[0-9a-f]{64}/);
    expect(applied.code).toBe(0);
    const again = await run([...address, file]);
    expect(again.stdout).toContain('unchanged: already awaits approval as sha256:');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, manifest(100).replace('timeoutSeconds: 600', 'timeoutSeconds: 0'));
    const refused = await run([...address, bad]);
    expect(refused.stdout).toContain('tasks[0].timeoutSeconds');
    expect(refused.stdout).toContain('nothing sent');
    expect(refused.code).toBe(1);
    expect((await rows()).map((r) => r.name)).toEqual(['ops.cleanup.vacuum-cli']);
    // Four CLI runs, each a tsx start (seconds when quiet, tens of seconds on a loaded machine).
  }, 240_000);
});
