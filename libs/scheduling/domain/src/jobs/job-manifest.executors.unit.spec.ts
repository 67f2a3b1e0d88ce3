import { validateJobManifest, type JobManifestValidation } from './job-manifest';
import { validManifestInput } from './job-manifest.fixtures';

// The executor section of the manifest (issue 12, item 2): where secrets may go, the literal
// origin of an HTTP URL, the response expectation, the command's env.
const withExecutor = (executor: unknown) => {
  const input = validManifestInput();
  const tasks = input.tasks as Record<string, unknown>[];
  tasks[0] = { ...tasks[0], executor };
  return input;
};
const fieldsOf = (result: JobManifestValidation): string[] =>
  result.ok ? [] : result.problems.map((p) => p.field);
const http = (patch: Record<string, unknown>) => ({
  kind: 'http',
  method: 'POST',
  url: 'https://payments.example/settle',
  ...patch,
});

describe('validateJobManifest: executors', () => {
  it('accepts secrets in HTTP headers, an expectation and a command env', () => {
    const result = validateJobManifest(
      withExecutor(
        http({
          url: 'https://payments.example/accounts/{{batchSize}}?n={{batchSize}}',
          headers: { Authorization: 'Bearer {{secret:ledger-token}}', 'X-Token': '{{token}}' },
          body: { batch: '{{batchSize}}' },
          expect: {
            statuses: [200, 202],
            json: [
              { path: '/status', equals: 'ok' },
              { path: '/state', oneOf: ['done', 'skipped'] },
              { path: '/id', exists: true },
            ],
          },
        }),
      ),
    );
    expect(fieldsOf(result)).toEqual([]);
    if (!result.ok) return;
    expect(result.manifest.tasks.find((t) => t.id === 'settle')?.executor).toMatchObject({
      expect: { statuses: [200, 202], json: [{ path: '/status', equals: 'ok' }, {}, {}] },
    });
    const command = validateJobManifest(
      withExecutor({
        kind: 'command',
        program: 'ledger-export',
        args: ['--batch={{batchSize}}'],
        env: { LEDGER_TOKEN: '{{token}}', LEDGER_KEY: '{{secret:ledger-key}}' },
      }),
    );
    expect(fieldsOf(command)).toEqual([]);
  });

  it('refuses secrets in a URL, argv, body and Kafka message, naming each field', () => {
    const base = 'tasks[0].executor';
    expect(
      fieldsOf(
        validateJobManifest(withExecutor(http({ url: 'https://payments.example/{{token}}' }))),
      ),
    ).toEqual([`${base}.url`]);
    expect(
      fieldsOf(
        validateJobManifest(withExecutor(http({ body: { a: [{ b: '{{secret:ledger}}' }] } }))),
      ),
    ).toEqual([`${base}.body.a[0].b`]);
    expect(
      fieldsOf(
        validateJobManifest(
          withExecutor({ kind: 'command', program: 'ledger-export', args: ['{{token}}'] }),
        ),
      ),
    ).toEqual([`${base}.args[0]`]);
    expect(
      fieldsOf(
        validateJobManifest(
          withExecutor({
            kind: 'kafka',
            topic: 'finance.events',
            key: '{{secret:k}}',
            payload: { t: '{{token}}' },
          }),
        ),
      ),
    ).toEqual([`${base}.key`, `${base}.payload.t`]);
  });

  it('refuses a placeholder in the URL origin', () => {
    const result = validateJobManifest(
      withExecutor(http({ url: 'https://{{batchSize}}.example/x' })),
    );
    expect(fieldsOf(result)).toEqual(['tasks[0].executor.url']);
    expect(result.ok ? '' : result.problems[0]?.message).toMatch(/origin literally/);
  });

  it('refuses a malformed expectation, naming the predicate field', () => {
    const result = validateJobManifest(
      withExecutor(
        http({
          expect: {
            statuses: [200, 700, 'x'],
            json: [
              { path: 'status', equals: 'ok' },
              { path: '/a', equals: 1, exists: true },
              { path: '/b', oneOf: [] },
              { path: '/c', exists: 'yes' },
              { path: '/d', matches: '.*' },
            ],
            other: 1,
          },
        }),
      ),
    );
    expect(fieldsOf(result).sort()).toEqual(
      [
        'tasks[0].executor.expect.other',
        'tasks[0].executor.expect.statuses[1]',
        'tasks[0].executor.expect.statuses[2]',
        'tasks[0].executor.expect.json[0].path',
        'tasks[0].executor.expect.json[1]',
        'tasks[0].executor.expect.json[2].oneOf',
        'tasks[0].executor.expect.json[3].exists',
        'tasks[0].executor.expect.json[4].matches',
        'tasks[0].executor.expect.json[4]',
      ].sort(),
    );
  });

  it('refuses reserved, malformed and undeclared command env', () => {
    const result = validateJobManifest(
      withExecutor({
        kind: 'command',
        program: 'ledger-export',
        args: [],
        env: {
          PATH: '/tmp',
          LD_PRELOAD: '/tmp/x.so',
          TRAINYARD_TASK_KEY: 'forged',
          'bad-name': 'x',
          OK: '{{undeclared}}',
          N: 3,
          BAD_SECRET: '{{secret:Upper}}',
        },
      }),
    );
    expect(fieldsOf(result).sort()).toEqual(
      [
        'tasks[0].executor.env.PATH',
        'tasks[0].executor.env.LD_PRELOAD',
        'tasks[0].executor.env.TRAINYARD_TASK_KEY',
        'tasks[0].executor.env.bad-name',
        'tasks[0].executor.env.OK',
        'tasks[0].executor.env.N',
        'tasks[0].executor.env.BAD_SECRET',
      ].sort(),
    );
  });
});
