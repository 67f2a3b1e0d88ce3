/**
 * Summarises a V8 .cpuprofile (as BENCH_CPU_PROF_DIR writes them) where the time goes: self time
 * by function and by package or source folder, and the inclusive time under chosen functions.
 *
 *   npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [--top 40] [--window <regex>]
 *     [--under name=<regex> …]
 *
 * `--window <regex>`: only samples from the first to the last one whose stack has a frame whose
 * function name matches (e.g. `registerWorkload`), so start-up and shutdown are left out.
 * `--under name=<regex>`: the samples whose stack holds a frame (function name or file) matching.
 * `--ticks`: weigh samples by count (see below), for profiles taken on a loaded machine.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Options {
  file: string;
  top: number;
  window?: RegExp;
  under: { name: string; pattern: RegExp }[];
  /** Leaf functions whose callers (up to `depth` frames) are listed. */
  callers?: RegExp;
  depth: number;
  /** Also print µs per one of this many units (e.g. the commands the profile covers). */
  per?: number;
  /** Only samples of the parts (see BUCKETS) whose name matches. */
  bucket?: RegExp;
  /** Weigh samples by count, not by the time to the next one. */
  ticks?: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { file: '', top: 40, under: [], depth: 6 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--top') options.top = Number(argv[++i]);
    else if (arg === '--callers') options.callers = new RegExp(argv[++i]!);
    else if (arg === '--per') options.per = Number(argv[++i]);
    else if (arg === '--bucket') options.bucket = new RegExp(argv[++i]!);
    else if (arg === '--depth') options.depth = Number(argv[++i]);
    else if (arg === '--ticks') options.ticks = true;
    else if (arg === '--window') options.window = new RegExp(argv[++i]!);
    else if (arg === '--under') {
      const [name, ...rest] = argv[++i]!.split('=');
      options.under.push({ name: name!, pattern: new RegExp(rest.join('=')) });
    } else options.file = arg;
  }
  if (!options.file) throw new Error('usage: cpu-profile-summary <file.cpuprofile> [options]');
  return options;
}

/** node_modules/<package> (scoped: @scope/name), dist/<area>/<lib>, node:…, or V8's own. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:' + (url.split('/')[1] ?? url);
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) {
    const parts = url.slice(dist + '/dist/'.length).split('/');
    return parts[0] === 'libs' ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
  }
  return url;
}

/**
 * The part of the service a sample belongs to: the first frame from the leaf that names one. An
 * async function resumed after an await has only its own frame below the microtask queue, so
 * work resumed there is attributed by that function's file.
 */
const BUCKETS: readonly [string, RegExp][] = [
  ['relay (outbox → Kafka)', /kafkajs|outbox-relay|cloud-event|kafkajs-producer|integration-event/],
  ['sealer', /event-sealer|merkle-tree|sealed-fields|service-audit-sealer/],
  [
    'projection',
    /projection|locked-subscription|read-models|messaging\/src\/transaction|subscription\.js|read-side/,
  ],
  ['append signal', /append-signal/],
  ['command: event store append', /stream-append|handle-command|postgres-event-store/],
  ['command: planning app + domain', /apps\/planning|libs\/planning\/domain/],
  [
    'command: platform (auth, interceptors, input, audit)',
    /libs\/shared\/platform|libs\/shared\/observability|libs\/shared\/privacy/,
  ],
  ['command: NestJS', /@nestjs|rxjs/],
  ['command: OpenTelemetry', /@opentelemetry/],
  ['command: grpc-js / http2', /@grpc|node:internal\/http2|proto-loader|protobufjs/],
  ['pg (not attributed)', /node_modules\/pg|pg-protocol|pg-pool/],
];

function bucketOf(stack: readonly ProfileNode[]): string {
  const leaf = stack[0]!.callFrame.functionName;
  if (leaf === '(garbage collector)' || leaf === '(program)') return leaf;
  // The project's own parts first (a pg query under the projection is the projection's), then
  // the libraries a sample with no project frame ran in.
  for (const buckets of [BUCKETS.slice(0, 7), BUCKETS.slice(7)])
    for (const node of stack) {
      const where = `${node.callFrame.url} ${node.callFrame.functionName}`;
      for (const [name, pattern] of buckets)
        if (node.callFrame.url && pattern.test(where)) return name;
    }
  return 'other (node internals, timers, microtasks)';
}

/** The nearest frame of the project's own code, else of a package, else the leaf's area. */
function ownerOf(stack: readonly ProfileNode[]): { fn: string; file: string } {
  const described = stack.map((n) => ({
    pkg: packageOf(n.callFrame.url, n.callFrame.functionName),
    name: n.callFrame.functionName || '(anonymous)',
    url: n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, ''),
  }));
  const own = described.find((d) => d.pkg.startsWith('libs/') || d.pkg.startsWith('apps/'));
  const pick =
    own ??
    described.find((d) => !d.pkg.startsWith('node:') && !d.pkg.startsWith('(')) ??
    described[0]!;
  return { fn: `${pick.name} ${pick.url}`, file: pick.url || pick.pkg };
}

const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (part: number, whole: number) => ((100 * part) / whole).toFixed(1).padStart(5) + '%';

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const profile = JSON.parse(readFileSync(options.file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const stackOf = (id: number): ProfileNode[] => {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      stack.push(byId.get(at)!);
    return stack;
  };
  // Sample i lasts until the next sample: timeDeltas[i + 1]. With --ticks every sample counts the
  // median interval: on a loaded machine a long gap is the process waiting for a core, and the time
  // model would charge it all to whatever ran just before.
  const deltas = profile.samples.map((_, i) => profile.timeDeltas[i + 1] ?? 0);
  const tick = [...deltas].sort((a, b) => a - b)[deltas.length >> 1] ?? 0;
  const durations = options.ticks ? deltas.map(() => tick) : deltas;
  let [first, last] = [0, profile.samples.length - 1];
  if (options.window) {
    const hits = profile.samples.flatMap((id, i) =>
      stackOf(id).some((n) => options.window!.test(n.callFrame.functionName)) ? [i] : [],
    );
    if (hits.length === 0) throw new Error(`no sample under ${options.window}`);
    [first, last] = [hits[0]!, hits[hits.length - 1]!];
  }
  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const underTotals = new Map<string, number>();
  const callerChains = new Map<string, number>();
  const byBucket = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byOwnerFile = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = first; i <= last; i++) {
    const node = byId.get(profile.samples[i]!)!;
    const us = durations[i]!;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const bucket = bucketOf(stackOf(node.id));
    if (options.bucket && !options.bucket.test(bucket)) continue;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}`;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + us);
    const pkg = packageOf(url, functionName);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + us);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
    const owner = ownerOf(stackOf(node.id));
    byOwner.set(owner.fn, (byOwner.get(owner.fn) ?? 0) + us);
    byOwnerFile.set(owner.file, (byOwnerFile.get(owner.file) ?? 0) + us);
    if (options.callers?.test(functionName)) {
      const chain = stackOf(node.id)
        .slice(0, options.depth)
        .map(
          (n) =>
            `${n.callFrame.functionName || '(anon)'}@${packageOf(n.callFrame.url, n.callFrame.functionName)}`,
        )
        .join(' < ');
      callerChains.set(chain, (callerChains.get(chain) ?? 0) + us);
    }
    if (options.under.length > 0) {
      const stack = stackOf(node.id);
      for (const { name, pattern } of options.under)
        if (
          stack.some((n) => pattern.test(n.callFrame.functionName) || pattern.test(n.callFrame.url))
        )
          underTotals.set(name, (underTotals.get(name) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const perUnit = (us: number) =>
    options.per ? ` ${(us / options.per).toFixed(1).padStart(6)} µs/unit` : '';
  const seconds = (total / 1e6).toFixed(1);
  console.log(
    `${options.file}\nwindow ${seconds} s, busy ${ms(busy).trim()} ms (${pct(busy, total).trim()} of one core)${perUnit(busy)}, idle ${ms(idle).trim()} ms`,
  );
  const table = (title: string, entries: Map<string, number>, top: number) => {
    console.log(`\n${title} (ms, % of busy)`);
    for (const [key, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${ms(us)} ${pct(us, busy)}${perUnit(us)}  ${key}`);
  };
  table('by part of the service (first matching frame, leaf to root)', byBucket, options.top);
  table('self time by package / folder', selfByPackage, options.top);
  table('self time by function', selfByFunction, options.top);
  table(
    'by owner: the nearest project frame (apps/, libs/) on the stack, else the nearest package',
    byOwnerFile,
    options.top,
  );
  table('by owning function', byOwner, options.top);
  if (options.callers) table(`callers of ${options.callers}`, callerChains, options.top);
  if (options.under.length > 0) {
    console.log('\ninclusive time under (ms, % of busy)');
    for (const { name } of options.under) {
      const us = underTotals.get(name) ?? 0;
      console.log(`${ms(us)} ${pct(us, busy)}${perUnit(us)}  ${name}`);
    }
  }
}

main();
