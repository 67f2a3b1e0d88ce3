import { ValidationError } from '@trainyard/kernel';
import { createHash } from 'node:crypto';
import { canonicalJson, sha256Hex } from './canonical-json';
import { validateJobManifest, type JobManifestValidation } from './job-manifest';
import { validManifestInput } from './job-manifest.fixtures';

const fieldsOf = (result: JobManifestValidation): string[] =>
  result.ok ? [] : result.problems.map((p) => p.field);
const problemAt = (result: JobManifestValidation, field: string): ValidationError => {
  if (result.ok) throw new Error(`expected a problem at ${field}, but the manifest was accepted`);
  const problem = result.problems.find((p) => p.field === field);
  if (problem === undefined)
    throw new Error(
      `no problem at ${field}; got ${result.problems.map((p) => p.field).join(', ')}`,
    );
  return problem;
};
const task = (i: number, patch: Record<string, unknown>) => {
  const input = validManifestInput();
  const tasks = input.tasks as Record<string, unknown>[];
  tasks[i] = { ...tasks[i], ...patch };
  return input;
};
const executor = (i: number, executor: unknown) => task(i, { executor });

describe('validateJobManifest', () => {
  it('accepts a valid manifest, normalised: tasks sorted by id, defaults filled', () => {
    const result = validateJobManifest(validManifestInput());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.manifest.tasks.map((t) => t.id)).toEqual(['export', 'notify', 'settle']);
    expect(result.manifest.tasks.find((t) => t.id === 'settle')).toMatchObject({
      dependsOn: [],
      trigger: 'all-succeeded',
    });
  });

  it('accepts a fixed interval and no schedule (a triggered job)', () => {
    expect(validateJobManifest(validManifestInput({ schedule: { everySeconds: 60 } })).ok).toBe(
      true,
    );
    const triggered = validManifestInput();
    delete triggered.schedule;
    expect(validateJobManifest(triggered).ok).toBe(true);
  });

  it('refuses a non-object with one problem at the root', () => {
    for (const input of [null, 42, 'name: x', [], undefined])
      expect(fieldsOf(validateJobManifest(input))).toEqual(['(root)']);
  });

  it('collects every problem at once, each naming its field in a whole sentence', () => {
    const result = validateJobManifest(
      validManifestInput({ name: 'Finance', criticality: 'urgent', tasks: [] }),
    );
    expect(fieldsOf(result)).toEqual(['name', 'criticality', 'tasks']);
    const problems = result.ok ? [] : result.problems;
    for (const p of problems) {
      expect(p).toBeInstanceOf(ValidationError);
      expect(p.message).toMatch(/^[a-z(A-Z].*[.]$/);
      expect(p.message.startsWith(p.field)).toBe(true);
    }
  });

  describe('name and owner', () => {
    it.each([
      ['Finance.ledger.close'],
      ['finance.ledger'],
      ['finance.ledger.close.extra'],
      ['finance..close'],
      ['finance.led_ger.close'],
      ['finance.ledger.-close'],
      [42],
    ])('refuses the name %p', (name) => {
      expect(problemAt(validateJobManifest(validManifestInput({ name })), 'name')).toBeDefined();
    });
    it('requires the owner to be the team the name starts with', () => {
      expect(
        problemAt(validateJobManifest(validManifestInput({ owner: 'billing' })), 'owner').message,
      ).toBe('owner must be the team the name starts with (finance); got "billing".');
    });
    it('requires name, owner, criticality, environments and tasks', () => {
      expect(fieldsOf(validateJobManifest({}))).toEqual([
        'name',
        'owner',
        'criticality',
        'environments',
        'tasks',
      ]);
    });
    it('refuses unknown fields (a typo is not silently ignored)', () => {
      expect(fieldsOf(validateJobManifest(validManifestInput({ scheduel: {} })))).toEqual([
        'scheduel',
      ]);
    });
  });

  describe('schedule', () => {
    const schedule = (value: unknown) =>
      validateJobManifest(validManifestInput({ schedule: value }));
    it('reuses parseCron, ZoneResolver.for and resolveDstPolicy, re-homed under schedule', () => {
      expect(fieldsOf(schedule({ cron: '61 * * * *', zone: 'Europe/Berlin' }))).toEqual([
        'schedule.cron',
      ]);
      expect(fieldsOf(schedule({ cron: '0 2 * * *', zone: 'Mars/Base' }))).toEqual([
        'schedule.zone',
      ]);
      expect(fieldsOf(schedule({ cron: '0 2 * * *', zone: '+02:00' }))).toEqual(['schedule.zone']);
      expect(fieldsOf(schedule({ cron: '0 2 * * *', zone: 'UTC', gap: 'maybe' }))).toEqual([
        'schedule.gap',
      ]);
      expect(fieldsOf(schedule({ cron: '0 2 * * *', zone: 'UTC', overlap: 3 }))).toEqual([
        'schedule.overlap',
      ]);
      expect(fieldsOf(schedule({}))).toEqual(['schedule.cron', 'schedule.zone']);
      // Both DST policy fields, when both are wrong (resolveDstPolicy reports every one).
      expect(
        fieldsOf(schedule({ cron: '0 2 * * *', zone: 'UTC', gap: 'maybe', overlap: 'middle' })),
      ).toEqual(['schedule.gap', 'schedule.overlap']);
      expect(problemAt(schedule({ cron: '* *', zone: 'UTC' }), 'schedule.cron').message).toBe(
        'schedule.cron must be a five-field expression (got 2 fields).',
      );
    });
    it('refuses a bad interval, extra fields and a non-object', () => {
      expect(fieldsOf(schedule({ everySeconds: 0 }))).toEqual(['schedule.everySeconds']);
      expect(fieldsOf(schedule({ everySeconds: 1.5 }))).toEqual(['schedule.everySeconds']);
      expect(fieldsOf(schedule({ everySeconds: 60, cron: '* * * * *' }))).toEqual([
        'schedule.cron',
      ]);
      expect(fieldsOf(schedule('daily'))).toEqual(['schedule']);
    });
  });

  describe('parameters and environments', () => {
    it('requires dev, staging and prod, and refuses other environments', () => {
      const environments = { dev: { batchSize: 1, token: 'secret:a' }, qa: {} };
      expect(fieldsOf(validateJobManifest(validManifestInput({ environments })))).toEqual([
        'environments.qa',
        'environments.staging',
        'environments.prod',
      ]);
    });
    it('checks each value against the declared type, refuses unknown and missing ones', () => {
      const input = validManifestInput();
      (input.environments as Record<string, unknown>).staging = {
        batchSize: '100',
        token: 'plain-text',
        region: 'eu',
      };
      (input.environments as Record<string, unknown>).prod = { token: 'secret:token' };
      expect(fieldsOf(validateJobManifest(input))).toEqual([
        'environments.staging.batchSize',
        'environments.staging.token',
        'environments.staging.region',
        'environments.prod.batchSize',
      ]);
    });
    it('refuses an unknown parameter type and a bad parameter name', () => {
      expect(
        fieldsOf(
          validateJobManifest(
            validManifestInput({ parameters: { n: 'int', 'bad-name': 'string' } }),
          ),
        ),
      ).toEqual(['parameters.n', 'parameters.bad-name']);
    });
    it('accepts booleans and strings of their type only', () => {
      const input = validManifestInput({
        parameters: { flag: 'boolean', label: 'string' },
        environments: {
          dev: { flag: true, label: 'x' },
          staging: { flag: 'true', label: 1 },
          prod: { flag: false, label: 'y' },
        },
      });
      (input.tasks as Record<string, unknown>[])[1] = {
        id: 'export',
        dependsOn: ['settle'],
        executor: { kind: 'command', program: 'ledger-export', args: [] },
        timeoutSeconds: 5,
      };
      expect(fieldsOf(validateJobManifest(input))).toEqual([
        'environments.staging.flag',
        'environments.staging.label',
      ]);
    });
  });

  describe('tasks', () => {
    it('refuses duplicate ids, naming the second', () => {
      expect(problemAt(validateJobManifest(task(1, { id: 'settle' })), 'tasks[1].id').message).toBe(
        'tasks[1].id "settle" is already the id of tasks[0]; task ids are unique.',
      );
    });
    it('refuses a dependency on an unknown task or on itself', () => {
      expect(fieldsOf(validateJobManifest(task(1, { dependsOn: ['settle', 'nope'] })))).toEqual([
        'tasks[1].dependsOn[1]',
      ]);
      expect(fieldsOf(validateJobManifest(task(1, { dependsOn: ['export'] })))).toEqual([
        'tasks[1].dependsOn[0]',
      ]);
      expect(fieldsOf(validateJobManifest(task(1, { dependsOn: 'settle' })))).toEqual([
        'tasks[1].dependsOn',
      ]);
    });
    it('refuses a cycle, naming it', () => {
      const result = validateJobManifest(task(0, { dependsOn: ['notify'] }));
      expect(problemAt(result, 'tasks[1].dependsOn').message).toBe(
        'tasks[1].dependsOn closes a dependency cycle: export → settle → notify → export.',
      );
    });
    it('refuses a bad trigger rule, retries and timeout', () => {
      expect(fieldsOf(validateJobManifest(task(0, { trigger: 'one-succeeded' })))).toEqual([
        'tasks[0].trigger',
      ]);
      expect(
        fieldsOf(
          validateJobManifest(
            task(0, { retries: { max: -1, backoffSeconds: 'x', maxDelaySeconds: 1, jitter: 1 } }),
          ),
        ),
      ).toEqual([
        'tasks[0].retries.jitter',
        'tasks[0].retries.max',
        'tasks[0].retries.backoffSeconds',
      ]);
      expect(
        fieldsOf(
          validateJobManifest(
            task(0, { retries: { max: 1, backoffSeconds: 60, maxDelaySeconds: 30 } }),
          ),
        ),
      ).toEqual(['tasks[0].retries.maxDelaySeconds']);
      expect(fieldsOf(validateJobManifest(task(0, { timeoutSeconds: undefined })))).toEqual([
        'tasks[0].timeoutSeconds',
      ]);
      expect(fieldsOf(validateJobManifest(task(0, { timeoutSeconds: 10 ** 9 })))).toEqual([
        'tasks[0].timeoutSeconds',
      ]);
    });
    it('refuses a task that is not an object, and more than 500 tasks', () => {
      expect(fieldsOf(validateJobManifest(validManifestInput({ tasks: ['settle'] })))).toEqual([
        'tasks[0]',
      ]);
      const many = Array.from({ length: 501 }, (_, i) => ({ id: `t${i}` }));
      expect(fieldsOf(validateJobManifest(validManifestInput({ tasks: many })))).toEqual(['tasks']);
    });
  });

  describe('executors', () => {
    it('refuses an unknown kind', () => {
      expect(fieldsOf(validateJobManifest(executor(0, { kind: 'ssh' })))).toEqual([
        'tasks[0].executor.kind',
      ]);
      expect(fieldsOf(validateJobManifest(executor(0, 'curl')))).toEqual(['tasks[0].executor']);
    });
    it('http: a method and an absolute http(s) URL; headers as strings', () => {
      expect(
        fieldsOf(
          validateJobManifest(executor(0, { kind: 'http', method: 'FETCH', url: 'ftp://x' })),
        ),
      ).toEqual(['tasks[0].executor.method', 'tasks[0].executor.url']);
      expect(fieldsOf(validateJobManifest(executor(0, { kind: 'http' })))).toEqual([
        'tasks[0].executor.method',
        'tasks[0].executor.url',
      ]);
      expect(
        fieldsOf(
          validateJobManifest(
            executor(0, {
              kind: 'http',
              method: 'GET',
              url: 'https://x.example',
              headers: { A: 1 },
            }),
          ),
        ),
      ).toEqual(['tasks[0].executor.headers.A']);
    });
    it('command: a program on the allowlist and args as a list of strings', () => {
      expect(
        fieldsOf(
          validateJobManifest(executor(1, { kind: 'command', program: 'bash', args: 'rm -rf /' })),
        ),
      ).toEqual(['tasks[1].executor.program', 'tasks[1].executor.args']);
      expect(
        fieldsOf(
          validateJobManifest(
            executor(1, { kind: 'command', program: 'ledger-export', args: [1] }),
          ),
        ),
      ).toEqual(['tasks[1].executor.args[0]']);
      const custom = validateJobManifest(
        executor(1, { kind: 'command', program: 'my-tool', args: [] }),
        { commandPrograms: ['my-tool'] },
      );
      expect(custom.ok).toBe(true);
    });
    it('refuses a placeholder naming no declared parameter', () => {
      expect(
        problemAt(
          validateJobManifest(
            executor(1, { kind: 'command', program: 'ledger-export', args: ['{{secretSauce}}'] }),
          ),
          'tasks[1].executor.args[0]',
        ).message,
      ).toBe(
        'tasks[1].executor.args[0] refers to {{secretSauce}}, which is not a declared parameter.',
      );
    });
    it('kafka: a topic name', () => {
      expect(fieldsOf(validateJobManifest(executor(2, { kind: 'kafka' })))).toEqual([
        'tasks[2].executor.topic',
      ]);
      expect(fieldsOf(validateJobManifest(executor(2, { kind: 'kafka', topic: 'a b' })))).toEqual([
        'tasks[2].executor.topic',
      ]);
    });
  });
});

describe('sha256Hex and canonicalJson', () => {
  it('agree with node:crypto, and ignore key order', () => {
    for (const text of ['', 'abc', 'ü→😀', 'x'.repeat(1000), canonicalJson(validManifestInput())])
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});
