import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  createEventStore,
  migrateEventStore,
  migrateSchema,
  type CommandContext,
  type PostgresEventStore,
} from '@trainyard/event-store';
import { RuleViolation, ValidationError } from '@trainyard/kernel';
import { secretStream } from '@trainyard/scheduling-domain';
import { SCHEDULING_READ_MODEL_MIGRATIONS } from '@trainyard/scheduling-read-models';
import { createTestContext, type TestContext } from '@trainyard/testing';
import { SecretDecryptionError, type KeyRing } from './envelope-encryption';
import { SecretsService } from './secrets.service';

// Secrets in the real PostgreSQL: sealed at rest, never in an event or a listing, refused under
// the wrong KEK, rotated and deleted with their values destroyed, re-wrapped on KEK rotation.
let ctx: TestContext;
let store: PostgresEventStore;

const ringOf = (...keys: [string, Buffer][]): KeyRing => ({
  current: { id: keys[0]![0], key: keys[0]![1] },
  byId: new Map(keys.map(([id, key]) => [id, { id, key }])),
});
const kekA = randomBytes(32);
const kekB = randomBytes(32);
const serviceWith = (ring: KeyRing | undefined) =>
  new SecretsService(ctx.pool, { DATABASE_SCHEMA: ctx.schema }, store, { ring });
const context = (actor = 'ops-1'): CommandContext => ({
  actor,
  correlationId: `c-${randomBytes(4).toString('hex')}`,
  now: new Date().toISOString(),
});
const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  ctx = await createTestContext('sched_secrets');
  await migrateEventStore(ctx.pool, ctx.schema);
  await migrateSchema(ctx.pool, ctx.schema, [SCHEDULING_READ_MODEL_MIGRATIONS]);
  store = createEventStore(ctx.pool, ctx.schema);
});
afterAll(async () => {
  await store?.close();
  await ctx?.dispose();
});

const rowsOf = async (name: string) =>
  (
    await ctx.pool.query<{
      sealed_value: Buffer;
      wrapped_key: Buffer;
      kek_id: string;
      confirmed: boolean;
    }>(
      'SELECT sealed_value, wrapped_key, kek_id, confirmed FROM scheduling_secrets WHERE name = $1',
      [name],
    )
  ).rows;

describe('SecretsService', () => {
  const secrets = () => serviceWith(ringOf(['kek-a', kekA]));

  it('stores a put value sealed: the row, the events and the listing never hold the plaintext', async () => {
    const name = unique('ledger-token');
    const plaintext = `plain-${randomBytes(12).toString('hex')}`;
    const summary = await secrets().put(name, plaintext, context());
    expect(summary).toMatchObject({ name, version: 1, kekId: 'kek-a', createdBy: 'ops-1' });

    const rows = await rowsOf(name);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.confirmed).toBe(true);
    expect(rows[0]?.sealed_value.includes(Buffer.from(plaintext))).toBe(false);
    expect(rows[0]?.wrapped_key.includes(Buffer.from(plaintext))).toBe(false);
    const events = await store.readStream(secretStream(name));
    expect(events.map((e) => e.type)).toEqual(['SecretSet']);
    expect(JSON.stringify(events.map((e) => [e.data, e.metadata]))).not.toContain(plaintext);
    const listed = (await secrets().list()).find((s) => s.name === name);
    expect(listed).toEqual(summary);
    expect(JSON.stringify(listed)).not.toContain(plaintext);

    expect((await secrets().resolve([name])).get(name)).toBe(plaintext);
  });

  it('refuses to open a value under the wrong KEK', async () => {
    const name = unique('wrong-kek');
    await secrets().put(name, 'v1', context());
    await expect(serviceWith(ringOf(['kek-a', kekB])).resolve([name])).rejects.toThrow(
      SecretDecryptionError,
    );
    await expect(serviceWith(ringOf(['kek-b', kekB])).resolve([name])).rejects.toThrow(
      /kek-a is not configured/,
    );
  });

  it('rotates: the next version, the earlier value destroyed, who rotated recorded', async () => {
    const name = unique('rotated');
    await secrets().put(name, 'first', context('ops-1'));
    const rotated = await secrets().put(name, 'second', context('ops-2'));
    expect(rotated).toMatchObject({ version: 2, createdBy: 'ops-1', rotatedBy: 'ops-2' });
    expect(await rowsOf(name)).toHaveLength(1);
    expect((await secrets().resolve([name])).get(name)).toBe('second');
    expect((await store.readStream(secretStream(name))).map((e) => e.type)).toEqual([
      'SecretSet',
      'SecretRotated',
    ]);
  });

  it('deletes: the value destroyed, the name no longer resolves or lists; deleting again changes nothing', async () => {
    const name = unique('deleted');
    await secrets().put(name, 'gone', context());
    expect(await secrets().delete(name, context())).toBe(true);
    expect(await secrets().delete(name, context())).toBe(false);
    expect(await rowsOf(name)).toHaveLength(0);
    expect((await secrets().resolve([name])).has(name)).toBe(false);
    expect((await secrets().list()).some((s) => s.name === name)).toBe(false);
    expect((await store.readStream(secretStream(name))).map((e) => e.type)).toEqual([
      'SecretSet',
      'SecretDeleted',
    ]);
  });

  it('serialises concurrent puts of one name: every version recorded once, one current value', async () => {
    const name = unique('concurrent');
    const values = Array.from({ length: 6 }, (_, i) => `value-${i}`);
    await Promise.all(values.map((v) => secrets().put(name, v, context())));
    const events = await store.readStream(secretStream(name));
    expect(events.map((e) => (e.data as { version: number }).version)).toEqual([1, 2, 3, 4, 5, 6]);
    const rows = await rowsOf(name);
    expect(rows).toHaveLength(1);
    const last = events.at(-1)?.data as { valueId: string };
    const current = await secrets().resolve([name]);
    expect(values).toContain(current.get(name));
    const { rows: ids } = await ctx.pool.query<{ value_id: string }>(
      'SELECT value_id FROM scheduling_secrets WHERE name = $1',
      [name],
    );
    expect(ids[0]?.value_id).toBe(last.valueId);
  });

  it('re-wraps data keys on KEK rotation; afterwards the previous KEK is no longer needed', async () => {
    const name = unique('rewrap');
    await secrets().put(name, 'survives rotation', context());
    const rotating = serviceWith(ringOf(['kek-b', kekB], ['kek-a', kekA]));
    expect(await rotating.rewrapAll()).toBeGreaterThanOrEqual(1);
    expect((await rowsOf(name))[0]?.kek_id).toBe('kek-b');
    expect((await serviceWith(ringOf(['kek-b', kekB])).resolve([name])).get(name)).toBe(
      'survives rotation',
    );
  });

  it('refuses hostile names and values naming the field, writing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string().filter((s) => !/^[a-z0-9]+(?:[-_./][a-z0-9]+)*$/.test(s) || s.length > 200),
          fc.constantFrom('../etc', 'UPPER', 'a b', "x'; DROP TABLE scheduling_secrets; --"),
        ),
        async (name) => {
          const error = await secrets()
            .put(name, 'v', context())
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).field).toBe('name');
        },
      ),
      { numRuns: 30 },
    );
    const error = await secrets()
      .put(unique('empty-value'), '', context())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as ValidationError).field).toBe('value');
    const { rows } = await ctx.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM scheduling_secrets WHERE name LIKE 'empty-value%' OR name NOT SIMILAR TO '[a-z0-9]%'",
    );
    expect(rows[0]?.n).toBe('0');
  });

  it('without a configured KEK, refuses puts as a rule violation', async () => {
    await expect(serviceWith(undefined).put(unique('no-kek'), 'v', context())).rejects.toThrow(
      RuleViolation,
    );
  });
});
