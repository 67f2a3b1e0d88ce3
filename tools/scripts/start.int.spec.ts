// `npm start` with a wrong variable: named at once, non-zero exit, nothing left running. The
// script runs as users run it (tsx), with KAFKA_BROKERS on a free port so a broker it wrongly
// started would be its own (the suite's own broker is never touched), and a marker in its
// environment that every process it started would inherit.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, kafkaIsUp, localDir, repoRoot } from '@trainyard/infra';

const root = repoRoot();

/** Processes whose environment holds the marker (readable for our own user's processes). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const STALL_MS = 120_000;

function describeProcesses(pids: readonly number[]): string {
  return pids
    .map((pid) => {
      const read = (file: string) => {
        try {
          return readFileSync(`/proc/${pid}/${file}`, 'latin1');
        } catch {
          return '?';
        }
      };
      const state = /^State:\s*(.*)$/m.exec(read('status'))?.[1] ?? '?';
      const args = read('cmdline').split('\0').join(' ').trim();
      return `  ${pid} ${state} wchan=${read('wchan')} ${args}`;
    })
    .join('\n');
}

async function runStart(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string; ms: number; marker: string }> {
  const marker = `TRAINYARD_START_TEST=${randomBytes(6).toString('hex')}`;
  const [markerName = '', markerValue = ''] = marker.split('=');
  const started = Date.now();
  // `node --import tsx`, not the tsx binary: the binary is a second process that relays the
  // script's exit over an IPC channel, and that wrapper once held a finished CI run for 180 s.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'tools', 'scripts', 'start.ts')],
    {
      cwd: root,
      env: { ...process.env, ...env, [markerName]: markerValue },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A start that has not exited by then is stuck: say where each of its processes waits, then
  // stop them, so the failure names the stall instead of only the test's timeout.
  const watchdog = setTimeout(() => {
    const stuck = processesWith(marker);
    output += `\n[watchdog] still running after ${STALL_MS} ms:\n${describeProcesses(stuck)}`;
    for (const pid of stuck) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, STALL_MS);
  const code = await new Promise<number | null>((resolve) =>
    child.once('exit', (exitCode) => resolve(exitCode)),
  );
  clearTimeout(watchdog);
  return { code, output, ms: Date.now() - started, marker };
}

describe('npm start with a wrong variable', () => {
  it.each([
    [
      'DATABASE_URL',
      { DATABASE_URL: 'not a url' },
      /DATABASE_URL: expected a URL like postgres:\/\/.*\(got "not a url"\)/,
    ],
    [
      'a per-service port',
      { SCHEDULING_HTTP_PORT: 'eighty' },
      /SCHEDULING_HTTP_PORT: expected a port number \(got "eighty"\)/,
    ],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /LOG_LEVEL: .*\(got "loud"\)/],
  ])(
    '%s: names it, exits non-zero within seconds and leaves nothing running',
    async (_, bad, named) => {
      const brokerPort = await freePort();
      const broker = `127.0.0.1:${brokerPort}`;
      const result = await runStart({ ...bad, KAFKA_BROKERS: broker });
      expect(result.output).toMatch(/start failed: invalid configuration: /);
      expect(result.output).toMatch(named);
      expect(result.code).toBe(78);
      // Well before a start would give up (services alone wait 180 s): tsx takes 3–4 s on a quiet
      // 2-core machine and has taken 53 s at load 27, so the bound is loose on purpose; the checks
      // below show nothing was started.
      expect(result.ms).toBeLessThan(120_000);
      expect(processesWith(result.marker)).toEqual([]);
      expect(existsSync(join(localDir('kafka'), `broker-${brokerPort}.pid`))).toBe(false);
      expect(await kafkaIsUp(broker, 1_000)).toBe(false);
      expect(result.output).not.toMatch(/building services|Kafka starting/);
    },
    180_000,
  );
});
