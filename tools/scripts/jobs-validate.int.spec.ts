import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the real CLI through `npx tsx`, as CI would, on a temporary directory. */
const run = (args: string[]): Promise<{ code: number; stdout: string }> =>
  new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'tools/scripts/jobs-validate.ts', ...args],
      { cwd: join(__dirname, '../..') },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });

describe('npm run jobs:validate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jobs-validate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 for the example manifests', async () => {
    const examples = join(__dirname, '../../jobs/examples');
    for (const f of ['finance.ledger.month-end-close.yaml', 'payments.settlement.reconcile.json'])
      writeFileSync(join(dir, f), readFileSync(join(examples, f)));
    const { code, stdout } = await run([dir]);
    expect(stdout).toContain('2 job manifest(s) valid.');
    expect(code).toBe(0);
  }, 60_000);

  it('exits 1 naming the file, line and field of every problem, and duplicate names', async () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      [
        'name: finance.ledger.close',
        'owner: finance',
        'criticality: extreme',
        'environments: { dev: {}, staging: {}, prod: {} }',
        'tasks:',
        '  - id: a',
        '    dependsOn: [nope]',
        '    executor: { kind: kafka, topic: t }',
        '    timeoutSeconds: 5',
      ].join('\n'),
    );
    const good = {
      name: 'finance.ledger.other',
      owner: 'finance',
      criticality: 'low',
      environments: { dev: {}, staging: {}, prod: {} },
      tasks: [{ id: 'a', executor: { kind: 'kafka', topic: 't' }, timeoutSeconds: 5 }],
    };
    writeFileSync(join(dir, 'one.json'), JSON.stringify(good));
    writeFileSync(join(dir, 'two.json'), JSON.stringify(good));
    const { code, stdout } = await run([dir]);
    expect(code).toBe(1);
    // Both problems of bad.yaml, not just the first, each on its line with its path.
    expect(stdout).toContain(`${join(dir, 'bad.yaml')}:3: criticality: criticality must be one of`);
    expect(stdout).toContain(`${join(dir, 'bad.yaml')}:7: tasks[0].dependsOn[0]: `);
    expect(stdout).toMatch(/3 problem\(s\) in 2 of 3 file\(s\)/);
    expect(stdout).toMatch(/two\.json:1: name: name finance\.ledger\.other is already the name/);
  }, 60_000);
});
