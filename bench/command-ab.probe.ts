/**
 * Two builds of the same planning service side by side, differing only in environment variables,
 * taking 16 clients' RegisterWorkload commands in alternating slices (A B B A …): the ratio of their
 * rates with the machine's state averaged over both. For settings whose effect is smaller than the
 * run-to-run spread of planning.command.w16.
 *
 *   npx tsx bench/command-ab.probe.ts --a 'TY_X=5' --b 'TY_X=0' [--seconds 40] [--slice 500]
 */
import { Pool } from 'pg';
import { signDevToken } from '@trainyard/infra';
import { measureWindow, procCpuMs, sleep } from './bench-harness';
import {
  planningClients,
  registerWorkload,
  startPlanningService,
  stopPlanningService,
  type PlanningServiceProcess,
} from './planning-service';

const CLIENTS = 16;

function option(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
}

function envOf(spec: string): Record<string, string> {
  return Object.fromEntries(
    spec
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

async function main(): Promise<void> {
  const seconds = Number(option('seconds', '40'));
  const sliceMs = Number(option('slice', '500'));
  const databaseUrl = option('database', 'postgres://postgres@127.0.0.1:5432/bench_command');
  const runId = Math.random().toString(16).slice(2, 8);
  const token = await signDevToken({ roles: ['release-manager'], subject: 'bench' });
  const sides: { name: string; spec: string; service?: PlanningServiceProcess; schema: string }[] =
    [
      { name: 'A', spec: option('a', ''), schema: `probe_ab_a_${runId}` },
      { name: 'B', spec: option('b', ''), schema: `probe_ab_b_${runId}` },
    ];
  try {
    for (const side of sides) {
      const saved = { ...process.env };
      Object.assign(process.env, envOf(side.spec));
      side.service = await startPlanningService({
        databaseUrl,
        schema: side.schema,
        brokers: ['127.0.0.1:9092'],
        clientId: `trainyard-probe-ab-${side.name}-${runId}`,
        buildOutput: 'pipe',
      });
      process.env = saved;
    }
    const stubs = sides.map((side) => planningClients(side.service!.address, CLIENTS));
    let k = 0;
    const run = (s: number, ms: number) =>
      measureWindow({ warmupMs: 0, windowMs: ms }, CLIENTS, async (w) => {
        await registerWorkload(stubs[s]![w]!, token, `wl-${runId}-${s}-${w}-${k++}`);
        return 1;
      });
    await run(0, 2_000);
    await run(1, 2_000);
    await sleep(1_000);
    const cpu0 = sides.map((side) => procCpuMs(side.service!.child.pid!));
    const counts = [0, 0];
    const ratios: number[] = [];
    const blocks = Math.max(1, Math.round((seconds * 1000) / (4 * sliceMs)));
    for (let b = 0; b < blocks; b++) {
      const a1 = await run(0, sliceMs);
      const b1 = await run(1, sliceMs);
      const b2 = await run(1, sliceMs);
      const a2 = await run(0, sliceMs);
      counts[0]! += ((a1 + a2) * sliceMs) / 1000;
      counts[1]! += ((b1 + b2) * sliceMs) / 1000;
      ratios.push((a1 + a2) / (b1 + b2));
    }
    await sleep(2_000);
    const cpu = sides.map((side, i) => procCpuMs(side.service!.child.pid!) - cpu0[i]!);
    for (const list of stubs) for (const stub of list) stub.close();
    ratios.sort((x, y) => x - y);
    console.log(
      JSON.stringify({
        a: sides[0]!.spec,
        b: sides[1]!.spec,
        blocks,
        ratioMedian: ratios[Math.floor(ratios.length / 2)]!.toFixed(3),
        ratioOfTotals: (counts[0]! / counts[1]!).toFixed(3),
        aCpuUsPerCommand: Math.round((cpu[0]! * 1000) / counts[0]!),
        bCpuUsPerCommand: Math.round((cpu[1]! * 1000) / counts[1]!),
      }),
    );
  } finally {
    for (const side of sides) if (side.service) await stopPlanningService(side.service.child);
    const pool = new Pool({ connectionString: databaseUrl });
    for (const side of sides)
      await pool.query(`DROP SCHEMA IF EXISTS "${side.schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
