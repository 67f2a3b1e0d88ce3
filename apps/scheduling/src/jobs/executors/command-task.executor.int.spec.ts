import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  createEventStore,
  migrateEventStore,
  migrateSchema,
  type PostgresEventStore,
} from '@trainyard/event-store';
import type { CommandExecutor } from '@trainyard/scheduling-domain';
import { SCHEDULING_READ_MODEL_MIGRATIONS } from '@trainyard/scheduling-read-models';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import type { TaskExecution } from '../runtime-ports';
import { SecretsService } from '../secrets/secrets.service';
import { CommandTaskExecutor } from './command-task.executor';
import { resolveRunAs, type ExecutorsConfig } from './executors.config';

// The command executor running real programs: argv without a shell (hostile values generated),
// exit codes, the time limit killing the whole process group, the memory limit, the restricted
// user, and a clean environment holding only the task variables and the manifest's env.
let ctx: TestContext;
let store: PostgresEventStore;
let secrets: SecretsService;
let dir: string;
const secretName = `ledger-key-${randomBytes(4).toString('hex')}`;
const secretValue = `sv-${randomBytes(16).toString('hex')}`;
const logs: string[] = [];
const logger = { log: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) };
const runningAsRoot = process.getuid?.() === 0;

const scripts: Record<string, string> = {
  // Prints who it runs as, the task variables, and its argv NUL-separated.
  'argv-echo': `#!/bin/sh
printf 'uid=%s\\n' "$(id -u)"
printf 'key=%s\\n' "$TRAINYARD_TASK_KEY"
printf 'fence=%s\\n' "$TRAINYARD_FENCING_TOKENS"
printf 'inherited=%s\\n' "$INHERITED_SECRET"
printf 'ledger=%s\\n' "$LEDGER_KEY"
printf 'args:'
for a in "$@"; do printf '%s\\0' "$a"; done
`,
  'exit-with': `#!/bin/sh
echo "failing with $1" >&2
exit "$1"
`,
  // A background child in the same process group, then waits: the time limit must kill both.
  sleeper: `#!/bin/sh
sleep 60 &
echo "$!"
wait
`,
  // Ends only once the file named by $1 exists (the test's heartbeat callback creates it).
  'wait-for-file': `#!/bin/sh
while [ ! -e "$1" ]; do sleep 0.05; done
echo seen
`,
  // Holds about 40 MB in a shell variable.
  hog: `#!/bin/sh
x=$(head -c 40000000 /dev/zero | tr '\\0' a)
echo "\${#x}"
`,
};

beforeAll(async () => {
  ctx = await createTestContext('sched_exec_command');
  await migrateEventStore(ctx.pool, ctx.schema);
  await migrateSchema(ctx.pool, ctx.schema, [SCHEDULING_READ_MODEL_MIGRATIONS]);
  store = createEventStore(ctx.pool, ctx.schema);
  const kek = randomBytes(32);
  secrets = new SecretsService(ctx.pool, { DATABASE_SCHEMA: ctx.schema }, store, {
    ring: { current: { id: 'k1', key: kek }, byId: new Map([['k1', { id: 'k1', key: kek }]]) },
  });
  await secrets.put(secretName, secretValue, {
    actor: 'ops',
    correlationId: 'c',
    now: new Date().toISOString(),
  });
  dir = await mkdtemp(join(tmpdir(), 'trainyard-exec-'));
  await chmod(dir, 0o755); // the restricted user must reach the programs
  for (const [name, text] of Object.entries(scripts)) {
    await writeFile(join(dir, name), text);
    await chmod(join(dir, name), 0o755);
  }
  process.env['INHERITED_SECRET'] = 'must-not-reach-the-program';
});
afterAll(async () => {
  delete process.env['INHERITED_SECRET'];
  if (dir) await rm(dir, { recursive: true, force: true });
  await store?.close();
  await ctx?.dispose();
});

const config = (patch: Partial<ExecutorsConfig['command']> = {}): ExecutorsConfig['command'] => ({
  programs: new Map(Object.keys(scripts).map((name) => [name, join(dir, name)])),
  ...(runningAsRoot ? { runAs: resolveRunAs('nobody', readFileSync('/etc/passwd', 'utf8')) } : {}),
  memoryBytes: 512 * 1024 * 1024,
  prlimitPath: '/usr/bin/prlimit',
  maxOutputBytes: 64 * 1024,
  cwd: '/',
  ...patch,
});
const executorWith = (patch: Partial<ExecutorsConfig['command']> = {}) =>
  new CommandTaskExecutor(config(patch), secrets, logger);
const execution = (patch: Partial<TaskExecution> = {}): TaskExecution => ({
  runId: 'run-1',
  job: 'finance.ledger.close',
  taskId: 'export',
  attempt: 2,
  taskKey: `finance.ledger.close/run-1/export-${randomBytes(3).toString('hex')}`,
  environment: 'dev',
  parameters: {},
  fencingTokens: { 'db:payments': 12 },
  timeoutMs: 20_000,
  signal: new AbortController().signal,
  heartbeat: () => undefined,
  ...patch,
});
const command = (
  program: string,
  args: string[],
  env?: Record<string, string>,
): CommandExecutor => ({
  kind: 'command',
  program,
  args,
  ...(env ? { env } : {}),
});
const field = (stdout: string, name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(stdout)?.[1];
const argvOf = (stdout: string) => {
  const raw = stdout.slice(stdout.indexOf('args:') + 'args:'.length);
  return raw === '' ? [] : raw.split('\0').slice(0, -1);
};

describe('CommandTaskExecutor', () => {
  it('runs an allowlisted program with a clean environment, the task variables and secret env, as the restricted user', async () => {
    const run = execution();
    const { result, output } = await executorWith().run(
      command('argv-echo', ['--batch={{n}}'], { LEDGER_KEY: `{{secret:${secretName}}}` }),
      { ...run, parameters: { n: 100 } },
    );
    expect(result).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    const stdout = output?.stdout ?? '';
    // Root hands commands to nobody (65534); anyone else runs them as themselves.
    expect(field(stdout, 'uid')).toBe(runningAsRoot ? '65534' : String(process.getuid?.()));
    expect(field(stdout, 'key')).toBe(run.taskKey);
    expect(field(stdout, 'fence')).toBe('{"db:payments":12}');
    expect(field(stdout, 'inherited')).toBe('');
    // The program received the secret; what comes back of it is redacted.
    expect(field(stdout, 'ledger')).toBe('[REDACTED]');
    expect(stdout).not.toContain(secretValue);
    expect(logs.join('\n')).not.toContain(secretValue);
    expect(argvOf(stdout)).toEqual(['--batch=100']);
  });

  it('passes hostile parameter values as single argv elements, never through a shell', async () => {
    const executor = executorWith();
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(
            fc.string({ maxLength: 60 }),
            fc.constantFrom(
              '$(id -u)',
              '`id`',
              '; echo pwned',
              '&& touch /tmp/x',
              '\' " \\',
              '$HOME',
              '*',
            ),
          )
          .filter((s) => !s.includes('\0')),
        async (value) => {
          const { result, output } = await executor.run(
            command('argv-echo', ['{{v}}', 'x{{v}}y', 'literal']),
            execution({ parameters: { v: value } }),
          );
          expect(result.outcome).toBe('succeeded');
          expect(argvOf(output?.stdout ?? '')).toEqual([value, `x${value}y`, 'literal']);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('returns the exit code; non-zero fails with the stderr tail', async () => {
    for (const code of [0, 3, 42]) {
      const result = await executorWith().execute(
        command('exit-with', [String(code)]),
        execution(),
      );
      expect(result).toMatchObject({
        outcome: code === 0 ? 'succeeded' : 'failed',
        exitCode: code,
      });
      expect(result.detail).toContain(code === 0 ? 'exit 0' : `failing with ${code}`);
    }
  });

  it('kills the whole process group at the time limit', async () => {
    const { result, output } = await executorWith().run(
      command('sleeper', []),
      execution({ timeoutMs: 500 }),
    );
    expect(result.outcome).toBe('timed-out');
    const child = Number((output?.stdout ?? '').trim());
    expect(child).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(child, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor(() => !alive(), {
      timeoutMs: 10_000,
      description: 'the background child to be killed',
    });
  });

  it('enforces the memory limit: the same program fails under a small limit and succeeds under a larger one', async () => {
    const small = await executorWith({ memoryBytes: 16 * 1024 * 1024 }).execute(
      command('hog', []),
      execution(),
    );
    expect(small.outcome).toBe('failed');
    const { result, output } = await executorWith({ memoryBytes: 256 * 1024 * 1024 }).run(
      command('hog', []),
      execution(),
    );
    expect(result.outcome).toBe('succeeded');
    expect(output?.stdout.trim()).toBe('40000000');
  });

  it('heartbeats while the program runs (the program ends only after a heartbeat was given)', async () => {
    const marker = join(dir, `beat-${randomBytes(4).toString('hex')}`);
    const result = await executorWith().execute(
      command('wait-for-file', [marker]),
      execution({
        heartbeat: () => void writeFile(marker, 'beat').catch(() => undefined),
      }),
    );
    expect(result).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
  });

  it('refuses a program that is not on the allowlist', async () => {
    const result = await executorWith().execute(command('rm', ['-rf', '/']), execution());
    expect(result.outcome).toBe('failed');
    expect(result.detail).toMatch(/not on the allowlist/);
  });

  it('bounds the captured output', async () => {
    const { output } = await executorWith({ maxOutputBytes: 10 }).run(
      command('argv-echo', ['a'.repeat(1000)]),
      execution(),
    );
    expect(Buffer.byteLength(output?.stdout ?? '')).toBeLessThanOrEqual(10);
    expect(output?.droppedBytes).toBeGreaterThan(1000);
  });
});
