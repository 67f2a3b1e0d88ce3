import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The boundary rules of eslint.config.mjs, proven on probe files: each probe breaks one rule and
// must be reported by `npm run lint` (ESLint with the repository's config, the text linted as if
// it were the file at that path); each control is the allowed neighbour and must pass, so a probe
// is reported for its rule, not for something else. ESLint runs in a child process: it loads its
// ES-module config by dynamic import, which jest's CommonJS runtime does not offer.
const ROOT = join(__dirname, '..', '..');

interface Probe {
  readonly name: string;
  readonly file: string;
  readonly code: string;
  /** The rule that must report it; undefined: a control, nothing may be reported. */
  readonly rule?: string;
}

const DOMAIN = 'libs/planning/domain/src/workload/boundary-probe.ts';
const DOMAIN_SPEC = 'libs/planning/domain/src/workload/boundary-probe.unit.spec.ts';
const SCHEDULING_DOMAIN = 'libs/scheduling/domain/src/boundary-probe.ts';
const KERNEL = 'libs/shared/kernel/src/boundary-probe.ts';
const READ_MODEL = 'libs/planning/read-models/src/boundary-probe.ts';
const CONTRACTS = 'libs/planning/contracts/src/boundary-probe.ts';
const OTHER_CONTEXT = 'apps/compliance/src/boundary-probe.ts';

const probes: readonly Probe[] = [
  // Domain: an allowlist of packages, no Node built-ins, no clock, no randomness, no generated gRPC code.
  {
    name: 'domain imports zod',
    file: DOMAIN,
    rule: '@nx/enforce-module-boundaries',
    code: "import { z } from 'zod';\nexport const schema = z.string();\n",
  },
  {
    name: 'domain imports pino',
    file: DOMAIN,
    rule: '@nx/enforce-module-boundaries',
    code: "import pino from 'pino';\nexport const log = pino();\n",
  },
  {
    name: 'domain imports node:fs',
    file: DOMAIN,
    rule: 'no-restricted-imports',
    code: "import { readFileSync } from 'node:fs';\nexport const read = (p: string): string => readFileSync(p, 'utf8');\n",
  },
  {
    name: 'domain imports the bare built-in crypto',
    file: DOMAIN,
    rule: 'no-restricted-imports',
    code: "import { randomUUID } from 'crypto';\nexport const id = (): string => randomUUID();\n",
  },
  {
    name: 'domain calls Date.now()',
    file: DOMAIN,
    rule: 'no-restricted-syntax',
    code: 'export const now = (): number => Date.now();\n',
  },
  {
    name: 'domain calls new Date()',
    file: DOMAIN,
    rule: 'no-restricted-syntax',
    code: 'export const now = (): string => new Date().toISOString();\n',
  },
  {
    name: 'domain calls Math.random()',
    file: DOMAIN,
    rule: 'no-restricted-syntax',
    code: 'export const pick = (n: number): number => Math.floor(Math.random() * n);\n',
  },
  {
    name: 'domain calls crypto.randomUUID()',
    file: DOMAIN,
    rule: 'no-restricted-syntax',
    code: 'export const id = (): string => crypto.randomUUID();\n',
  },
  {
    name: 'domain imports @trainyard/grpc-contracts',
    file: DOMAIN,
    rule: '@nx/enforce-module-boundaries',
    code: "import { planning } from '@trainyard/grpc-contracts';\nexport const kind = planning.ComponentKind.COMPONENT_KIND_SERVICE;\n",
  },
  {
    name: 'domain imports the testing library',
    file: DOMAIN,
    rule: 'no-restricted-imports',
    code: "import { waitFor } from '@trainyard/testing';\nexport const wait = waitFor;\n",
  },
  {
    name: 'domain imports semver and parses a given instant',
    file: DOMAIN,
    code: "import { valid } from 'semver';\nexport const ok = (v: string, at: string): boolean => valid(v) !== null && !Number.isNaN(new Date(at).getTime());\n",
  },
  {
    name: 'a domain spec imports fast-check and reads the clock',
    file: DOMAIN_SPEC,
    code: "import fc from 'fast-check';\n\nit('holds', () => {\n  fc.assert(fc.property(fc.nat(), (n) => n >= 0));\n  expect(Date.now()).toBeGreaterThan(0);\n});\n",
  },
  {
    name: 'domain spec imports zod',
    file: DOMAIN_SPEC,
    rule: '@nx/enforce-module-boundaries',
    code: "import { z } from 'zod';\n\nit('parses', () => {\n  expect(z.string().parse('a')).toBe('a');\n});\n",
  },
  // The scheduling domain adds the time-zone resolver's and the cron syntax's packages; only it.
  {
    name: 'the planning domain imports temporal-polyfill',
    file: DOMAIN,
    rule: '@nx/enforce-module-boundaries',
    code: "import { Temporal } from 'temporal-polyfill';\nexport const zone = (z: string): string => Temporal.PlainDate.from('2024-01-01').toZonedDateTime(z).timeZoneId;\n",
  },
  {
    name: 'the scheduling domain imports temporal-polyfill and cron-parser',
    file: SCHEDULING_DOMAIN,
    code: "import { Temporal } from 'temporal-polyfill';\nimport { CronExpressionParser } from 'cron-parser';\nexport const zone = (z: string): string => Temporal.PlainDate.from('2024-01-01').toZonedDateTime(z).timeZoneId;\nexport const parse = (e: string): unknown => CronExpressionParser.parse(e, { currentDate: 0 });\n",
  },
  {
    name: 'the scheduling domain imports zod',
    file: SCHEDULING_DOMAIN,
    rule: '@nx/enforce-module-boundaries',
    code: "import { z } from 'zod';\nexport const schema = z.string();\n",
  },
  // Kernel: no package at all.
  {
    name: 'kernel imports semver',
    file: KERNEL,
    rule: '@nx/enforce-module-boundaries',
    code: "import { valid } from 'semver';\nexport const ok = (v: string): boolean => valid(v) !== null;\n",
  },
  {
    name: 'kernel calls Date.now()',
    file: KERNEL,
    rule: 'no-restricted-syntax',
    code: 'export const now = (): number => Date.now();\n',
  },
  // Read models: typeorm and their context's domain, kernel and contracts; not pg, not the platform.
  {
    name: 'read model imports pg',
    file: READ_MODEL,
    rule: '@nx/enforce-module-boundaries',
    code: "import { Pool } from 'pg';\nexport const pool = (): Pool => new Pool();\n",
  },
  {
    name: 'read model imports the platform',
    file: READ_MODEL,
    rule: '@nx/enforce-module-boundaries',
    code: "import { eventsTopic } from '@trainyard/platform';\nexport const topic = eventsTopic('planning');\n",
  },
  {
    name: 'read model imports typeorm and the domain',
    file: READ_MODEL,
    code: "import { Column } from 'typeorm';\nimport type { WorkloadEvent } from '@trainyard/planning-domain';\nexport const column = Column;\nexport type Event = WorkloadEvent;\n",
  },
  // Contracts: their domain for types only.
  {
    name: 'contracts import a value of their domain',
    file: CONTRACTS,
    rule: '@typescript-eslint/no-restricted-imports',
    code: "import { decideWorkload } from '@trainyard/planning-domain';\nexport const decide = decideWorkload;\n",
  },
  {
    name: 'contracts import types of their domain',
    file: CONTRACTS,
    code: "import type { WorkloadEvent } from '@trainyard/planning-domain';\nexport type Event = WorkloadEvent;\n",
  },
  // Other contexts: planning only through its contracts.
  {
    name: 'another context imports the planning domain',
    file: OTHER_CONTEXT,
    rule: '@nx/enforce-module-boundaries',
    code: "import { decideWorkload } from '@trainyard/planning-domain';\nexport const decide = decideWorkload;\n",
  },
  {
    name: 'another context imports the planning contracts',
    file: OTHER_CONTEXT,
    code: "import { PLANNING_EVENTS_TOPIC } from '@trainyard/planning-contracts';\nexport const topic = PLANNING_EVENTS_TOPIC;\n",
  },
];

/** Builds the project graph as `npm run lint` does (the Nx rule reads it), then lints every probe. */
const LINT_PROBES = `
  import { createProjectGraphAsync } from '@nx/devkit';
  import { ESLint } from 'eslint';
  import tseslint from 'typescript-eslint';
  import { join } from 'node:path';
  const probes = JSON.parse(await new Response(process.stdin).text());
  await createProjectGraphAsync({ exitOnError: false });
  // The probes exist only as text, which the TypeScript project service cannot open; the rules
  // under test need no type information, so the type-aware ones are switched off for them.
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
  });
  const reports = [];
  for (const { file, code } of probes) {
    const [result] = await eslint.lintText(code, { filePath: join(process.cwd(), file) });
    reports.push(result.messages.map((m) => (m.ruleId ?? 'fatal') + ': ' + m.message));
  }
  process.stdout.write(JSON.stringify(reports));
`;

describe('module boundaries (eslint.config.mjs)', () => {
  let reports: readonly (readonly string[])[];

  beforeAll(() => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', LINT_PROBES], {
      cwd: ROOT,
      input: JSON.stringify(probes),
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`linting the probes failed: ${child.stderr}`);
    reports = JSON.parse(child.stdout) as string[][];
  }, 300_000);

  const indexed = probes.map((probe, i) => ({ ...probe, i }));

  it.each(indexed.filter((p) => p.rule !== undefined))('reports: $name', ({ rule, i }) => {
    const pattern = new RegExp(`^${(rule ?? '').replace(/[/@]/g, '\\$&')}: `);
    expect(reports[i]).toContainEqual(expect.stringMatching(pattern));
  });

  it.each(indexed.filter((p) => p.rule === undefined))('allows: $name', ({ i }) => {
    expect(reports[i]).toEqual([]);
  });
});
