// The suite's test environment stops what a test file left running: a jest run over a file that
// starts a service and never stops it exits by itself (no --forceExit) and names the service.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@trainyard/infra';

it('a service a test file leaves running is stopped at the end of the file, and named', async () => {
  const root = repoRoot();
  const fixture = join(__dirname, 'fixtures', 'leaves-a-service-running.fixture.ts');
  // The suite's database and broker (set by its global setup) are the child run's.
  const child = spawn(
    process.execPath,
    [
      join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--runInBand',
      '--testMatch',
      '**/*.fixture.ts',
      '--runTestsByPath',
      fixture,
    ],
    { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(output).toMatch(
    /leaves-a-service-running\.fixture\.ts left 2 running: planning service \(in process\), test context t_leftover_/,
  );
  expect(output).not.toMatch(/did not exit one second after/);
  expect(code).toBe(0);
}, 180_000);
