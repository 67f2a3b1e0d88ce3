import { ValidationError } from '@trainyard/kernel';
import { jobManifestDigest } from './job-definition.decide';
import {
  DEFAULT_JOB_PRIORITY,
  jobCatchUpSeconds,
  jobConcurrency,
  jobPriority,
  jobStartJitterSeconds,
  retryJitter,
  validateJobManifest,
  type JobManifest,
  type JobManifestValidation,
} from './job-manifest';
import { validManifestInput } from './job-manifest.fixtures';

// The optional manifest fields the batch-job runtime reads (issue 12 items 3-5): each refused with
// its field named, absent ones kept absent (the digest of what the author wrote), defaults read
// through the helpers.
const fieldsOf = (result: JobManifestValidation): string[] =>
  result.ok ? [] : result.problems.map((p) => p.field);
const accepted = (input: unknown): JobManifest => {
  const result = validateJobManifest(input);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.manifest;
};
const withTask = (i: number, patch: Record<string, unknown>) => {
  const input = validManifestInput();
  const tasks = input.tasks as Record<string, unknown>[];
  tasks[i] = { ...tasks[i], ...patch };
  return input;
};
const messageAt = (result: JobManifestValidation, field: string): string =>
  (result.ok ? undefined : result.problems.find((p) => p.field === field)?.message) ??
  `no problem at ${field}: ${fieldsOf(result).join(', ')}`;

describe('validateJobManifest: runtime fields', () => {
  describe('given a manifest without any of them', () => {
    it('keeps them absent and reads the defaults through the helpers', () => {
      const m = accepted(validManifestInput());
      for (const key of [
        'concurrency',
        'priority',
        'catchUpSeconds',
        'sla',
        'startJitterSeconds',
        'backpressure',
        'components',
      ])
        expect(m).not.toHaveProperty(key);
      for (const t of m.tasks) {
        expect(t).not.toHaveProperty('pools');
        expect(t).not.toHaveProperty('heartbeatSeconds');
        expect(t).not.toHaveProperty('outcomes');
      }
      expect(jobConcurrency(m)).toEqual({ maxActiveRuns: 1, overlap: 'skip' });
      expect(jobPriority(m)).toBe(DEFAULT_JOB_PRIORITY);
      expect(jobPriority(m)).toBe(50);
      expect(jobCatchUpSeconds(m)).toBe(0);
      expect(jobStartJitterSeconds(m)).toBe(0);
      const settle = m.tasks.find((t) => t.id === 'settle');
      expect(settle?.retries).not.toHaveProperty('jitter');
      expect(retryJitter(settle!.retries!)).toBe(true);
    });
  });

  describe('given every field, valid', () => {
    const full = () =>
      validManifestInput({
        concurrency: { maxActiveRuns: 3, overlap: 'buffer-one' },
        priority: 90,
        catchUpSeconds: 3600,
        sla: { finishWithinSeconds: 7200 },
        startJitterSeconds: 30,
        backpressure: [
          { kind: 'kafka-lag', groupId: 'ledger-consumer', topic: 'ledger.events', maxLag: 1000 },
          { kind: 'http-health', url: 'https://ledger.internal.example/health' },
        ],
        components: ['ledger-db', 'payments/api', 'ledger-db'],
        tasks: [
          {
            id: 'settle',
            executor: { kind: 'http', method: 'POST', url: 'https://payments.example/settle' },
            retries: { max: 3, backoffSeconds: 10, maxDelaySeconds: 300, jitter: false },
            timeoutSeconds: 600,
            heartbeatSeconds: 60,
            pools: [
              { pool: 'db:payments', slots: 1 },
              { pool: 'api.partner-x', slots: 2 },
            ],
            outcomes: [
              {
                when: { httpStatuses: [409, 200, 409] },
                then: 'branch',
                branch: ['skip-export', 'export'],
              },
              { when: { result: 'failed' }, then: 'stop-run' },
            ],
          },
          {
            id: 'export',
            dependsOn: ['settle'],
            executor: { kind: 'command', program: 'ledger-export', args: ['{{batchSize}}'] },
            timeoutSeconds: 600,
            outcomes: [{ when: { exitCodes: [3] }, then: 'skip-downstream' }],
          },
          {
            id: 'skip-export',
            dependsOn: ['settle'],
            executor: { kind: 'kafka', topic: 'finance.events' },
            timeoutSeconds: 60,
          },
        ],
      });

    it('accepts it, normalised: components and pools sorted, codes sorted without duplicates, rule order kept', () => {
      const m = accepted(full());
      expect(m).toMatchObject({
        concurrency: { maxActiveRuns: 3, overlap: 'buffer-one' },
        priority: 90,
        catchUpSeconds: 3600,
        sla: { finishWithinSeconds: 7200 },
        startJitterSeconds: 30,
        components: ['ledger-db', 'payments/api'],
      });
      expect(m.backpressure).toHaveLength(2);
      const settle = m.tasks.find((t) => t.id === 'settle');
      expect(settle?.retries?.jitter).toBe(false);
      expect(settle?.heartbeatSeconds).toBe(60);
      expect(settle?.pools?.map((c) => c.pool)).toEqual(['api.partner-x', 'db:payments']);
      expect(settle?.outcomes).toEqual([
        { when: { httpStatuses: [200, 409] }, then: 'branch', branch: ['export', 'skip-export'] },
        { when: { result: 'failed' }, then: 'stop-run' },
      ]);
      expect(jobConcurrency(m)).toEqual({ maxActiveRuns: 3, overlap: 'buffer-one' });
      expect(jobPriority(m)).toBe(90);
    });

    it('gives the same digest whatever the order of components and pools', () => {
      const a = full();
      const b = full();
      b.components = ['payments/api', 'ledger-db'];
      const tasks = b.tasks as Record<string, unknown>[];
      tasks[0] = { ...tasks[0], pools: [...(tasks[0]?.pools as unknown[])].reverse() };
      expect(jobManifestDigest(accepted(a))).toBe(jobManifestDigest(accepted(b)));
    });
  });

  describe('given bad values', () => {
    it.each([
      [{ concurrency: { maxActiveRuns: 0, overlap: 'skip' } }, ['concurrency.maxActiveRuns']],
      [{ concurrency: { maxActiveRuns: 2, overlap: 'queue' } }, ['concurrency.overlap']],
      [{ concurrency: { maxActiveRuns: 2 } }, ['concurrency.overlap']],
      [{ concurrency: { maxActiveRuns: 2, overlap: 'skip', burst: 1 } }, ['concurrency.burst']],
      [{ concurrency: 3 }, ['concurrency']],
      [{ priority: 101 }, ['priority']],
      [{ priority: -1 }, ['priority']],
      [{ priority: 1.5 }, ['priority']],
      [{ priority: '50' }, ['priority']],
      [{ catchUpSeconds: -1 }, ['catchUpSeconds']],
      [{ catchUpSeconds: 10 ** 9 }, ['catchUpSeconds']],
      [{ sla: { finishWithinSeconds: 0 } }, ['sla.finishWithinSeconds']],
      [{ sla: {} }, ['sla.finishWithinSeconds']],
      [{ sla: 'PT2H' }, ['sla']],
      [{ startJitterSeconds: 3601 }, ['startJitterSeconds']],
      [{ backpressure: {} }, ['backpressure']],
      [{ backpressure: [{ kind: 'cpu' }] }, ['backpressure[0].kind']],
      [{ backpressure: ['lag'] }, ['backpressure[0]']],
      [
        { backpressure: [{ kind: 'kafka-lag', groupId: 'a b', topic: 't', maxLag: -1 }] },
        ['backpressure[0].groupId', 'backpressure[0].maxLag'],
      ],
      [
        { backpressure: [{ kind: 'kafka-lag', topic: 'bad topic!', maxLag: 1 }] },
        ['backpressure[0].groupId', 'backpressure[0].topic'],
      ],
      [
        { backpressure: [{ kind: 'http-health', url: 'ftp://x.example' }] },
        ['backpressure[0].url'],
      ],
      [{ backpressure: [{ kind: 'http-health', url: '/health' }] }, ['backpressure[0].url']],
      [
        { backpressure: [{ kind: 'http-health', url: 'https://x.example', method: 'GET' }] },
        ['backpressure[0].method'],
      ],
      [
        {
          backpressure: Array.from({ length: 11 }, () => ({
            kind: 'http-health',
            url: 'https://x.example',
          })),
        },
        ['backpressure'],
      ],
      [{ components: 'ledger-db' }, ['components']],
      [{ components: ['ok', '', 7, '-x'] }, ['components[1]', 'components[2]', 'components[3]']],
    ])('refuses %j at %j', (patch, fields) => {
      expect(fieldsOf(validateJobManifest(validManifestInput(patch)))).toEqual(fields);
    });

    it('refuses a heartbeat longer than the timeout, or not a whole number', () => {
      expect(
        messageAt(
          validateJobManifest(withTask(0, { heartbeatSeconds: 601 })),
          'tasks[0].heartbeatSeconds',
        ),
      ).toBe('tasks[0].heartbeatSeconds must be at most timeoutSeconds (600); got 601.');
      expect(fieldsOf(validateJobManifest(withTask(0, { heartbeatSeconds: 0 })))).toEqual([
        'tasks[0].heartbeatSeconds',
      ]);
    });

    it('refuses retries.jitter that is not a boolean', () => {
      expect(
        fieldsOf(
          validateJobManifest(
            withTask(0, {
              retries: { max: 1, backoffSeconds: 1, maxDelaySeconds: 2, jitter: 'yes' },
            }),
          ),
        ),
      ).toEqual(['tasks[0].retries.jitter']);
    });

    it.each([
      [{ pools: 'db:payments' }, ['tasks[0].pools']],
      [{ pools: [{ pool: 'DB:Payments', slots: 1 }] }, ['tasks[0].pools[0].pool']],
      [{ pools: [{ pool: 'db:payments:eu', slots: 1 }] }, ['tasks[0].pools[0].pool']],
      [{ pools: [{ pool: 'db::x', slots: 1 }] }, ['tasks[0].pools[0].pool']],
      [{ pools: [{ pool: 'db:payments', slots: 0 }] }, ['tasks[0].pools[0].slots']],
      [{ pools: [{ pool: 'db:payments', slots: 1001 }] }, ['tasks[0].pools[0].slots']],
      [{ pools: [{ pool: 'db:payments' }] }, ['tasks[0].pools[0].slots']],
      [{ pools: [{ pool: 'db:payments', slots: 1, lease: 5 }] }, ['tasks[0].pools[0].lease']],
      [
        {
          pools: [
            { pool: 'db:payments', slots: 1 },
            { pool: 'db:payments', slots: 2 },
          ],
        },
        ['tasks[0].pools[1].pool'],
      ],
      [{ pools: [7] }, ['tasks[0].pools[0]']],
    ])('refuses the pool claim %j at %j', (patch, fields) => {
      expect(fieldsOf(validateJobManifest(withTask(0, patch)))).toEqual(fields);
    });

    it('accepts pool keys with and without a kind', () => {
      for (const pool of ['db:payments', 'payments', 'db:payments-eu_1.a', 'api.partner-x:v2'])
        expect(validateJobManifest(withTask(0, { pools: [{ pool, slots: 1 }] })).ok).toBe(true);
    });

    it.each([
      // settle is an http task; export (its direct dependent) and notify (not direct).
      [{ outcomes: [] }, ['tasks[0].outcomes']],
      [{ outcomes: [{ then: 'stop-run' }] }, ['tasks[0].outcomes[0].when']],
      [{ outcomes: [{ when: {}, then: 'stop-run' }] }, ['tasks[0].outcomes[0].when']],
      [
        { outcomes: [{ when: { result: 'ok' }, then: 'stop-run' }] },
        ['tasks[0].outcomes[0].when.result'],
      ],
      [
        { outcomes: [{ when: { result: 'failed' }, then: 'retry' }] },
        ['tasks[0].outcomes[0].then'],
      ],
      [{ outcomes: [{ when: { result: 'failed' } }] }, ['tasks[0].outcomes[0].then']],
      [
        { outcomes: [{ when: { exitCodes: [1] }, then: 'stop-run' }] },
        ['tasks[0].outcomes[0].when.exitCodes'],
      ],
      [
        { outcomes: [{ when: { httpStatuses: [99, 600] }, then: 'stop-run' }] },
        ['tasks[0].outcomes[0].when.httpStatuses[0]', 'tasks[0].outcomes[0].when.httpStatuses[1]'],
      ],
      [
        { outcomes: [{ when: { httpStatuses: [] }, then: 'stop-run' }] },
        ['tasks[0].outcomes[0].when.httpStatuses'],
      ],
      [
        { outcomes: [{ when: { result: 'failed' }, then: 'branch' }] },
        ['tasks[0].outcomes[0].branch'],
      ],
      [
        { outcomes: [{ when: { result: 'failed' }, then: 'stop-run', branch: ['export'] }] },
        ['tasks[0].outcomes[0].branch'],
      ],
      [
        { outcomes: [{ when: { result: 'failed' }, then: 'branch', branch: ['notify'] }] },
        ['tasks[0].outcomes[0].branch[0]'],
      ],
      [
        { outcomes: [{ when: { result: 'failed' }, then: 'branch', branch: ['nope'] }] },
        ['tasks[0].outcomes[0].branch[0]'],
      ],
      [
        { outcomes: [{ when: { result: 'failed' }, then: 'branch', branch: ['settle'] }] },
        ['tasks[0].outcomes[0].branch[0]'],
      ],
      [
        { outcomes: [{ when: { result: 'failed' }, then: 'stop-run', unless: 1 }] },
        ['tasks[0].outcomes[0].unless'],
      ],
    ])('refuses the outcome rules %j at %j', (patch, fields) => {
      expect(fieldsOf(validateJobManifest(withTask(0, patch)))).toEqual(fields);
    });

    it('names the branch target that is not a direct dependent', () => {
      const result = validateJobManifest(
        withTask(0, {
          outcomes: [{ when: { result: 'failed' }, then: 'branch', branch: ['notify'] }],
        }),
      );
      expect(messageAt(result, 'tasks[0].outcomes[0].branch[0]')).toBe(
        'tasks[0].outcomes[0].branch[0] must name a task that depends directly on settle; got "notify".',
      );
    });

    it('collects the problems of every new field at once, each a ValidationError naming its field', () => {
      const result = validateJobManifest(
        validManifestInput({ priority: 'high', sla: { finishWithinSeconds: -5 }, components: [1] }),
      );
      expect(fieldsOf(result)).toEqual(['priority', 'sla.finishWithinSeconds', 'components[0]']);
      for (const p of result.ok ? [] : result.problems) {
        expect(p).toBeInstanceOf(ValidationError);
        expect(p.message.startsWith(p.field)).toBe(true);
        expect(p.message).toMatch(/[.]$/);
      }
    });
  });
});
