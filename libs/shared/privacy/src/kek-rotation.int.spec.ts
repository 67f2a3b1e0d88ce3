import { ERASED_PERSONAL_DATA } from '@trainyard/kernel';
import { createTestContext, type TestContext } from '@trainyard/testing';
import { PersonalDataIntegrityError, keyEncryptionKey } from './envelope-crypto';
import { rotateKeyEncryptionKey } from './kek-rotation';
import { PersonalData } from './personal-data';
import { SubjectKeyStore } from './subject-key.store';

// KEK rotation on PostgreSQL: every data key re-wrapped under the new operator key, the sealed
// values (never touched) open with it, tombstones stay, the old KEK opens nothing afterwards, a
// wrong "old" KEK rotates nothing, and the result names no key or payload.
describe('KEK rotation of the subject keys', () => {
  let ctx: TestContext;
  const oldKek = keyEncryptionKey(Buffer.alloc(32, 7), 'kek-2030');
  const newKek = keyEncryptionKey(Buffer.alloc(32, 9), 'kek-2031');

  beforeAll(async () => {
    ctx = await createTestContext('privacy_kek_rotation');
  });
  afterAll(async () => ctx.dispose());

  it('re-wraps every data key in batches; the sealed data opens under the new KEK only', async () => {
    const before = await PersonalData.open(ctx.pool, ctx.schema, oldKek);
    const sealed = await Promise.all(
      Array.from({ length: 7 }, (_, i) => before.seal(`emp-${i}`, `Person ${i}`)),
    );
    await before.keys.erase('emp-0', 'user:dpo', 'art. 17', new Date('2031-01-01T00:00:00Z'));
    const wrongOld = keyEncryptionKey(Buffer.alloc(32, 1), 'kek-2030');
    await expect(rotateKeyEncryptionKey(ctx.pool, ctx.schema, wrongOld, newKek, 3)).rejects.toThrow(
      PersonalDataIntegrityError,
    );
    const { rows: untouched } = await ctx.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM subject_keys WHERE kid = 'kek-2030' AND wrapped_key IS NOT NULL`,
    );
    expect(untouched[0]!.n).toBe(6);

    const result = await rotateKeyEncryptionKey(ctx.pool, ctx.schema, oldKek, newKek, 4);
    expect(result).toEqual({ rewrapped: 6, tombstones: 1, otherKids: {} });
    expect(JSON.stringify(result)).not.toMatch(/Person|emp-/);

    const after = new PersonalData(new SubjectKeyStore(ctx.pool, ctx.schema, newKek));
    expect(await after.revealMany(sealed)).toEqual([
      ERASED_PERSONAL_DATA,
      ...Array.from({ length: 6 }, (_, i) => `Person ${i + 1}`),
    ]);
    // A process still on the old KEK is refused loudly, never handed a wrong key.
    await expect(before.reveal(sealed[1])).rejects.toThrow(/wrapped by KEK kek-2031/);
    // New subjects are sealed under the new KEK; running the rotation again changes nothing.
    await after.seal('emp-new', 'New Person');
    await expect(rotateKeyEncryptionKey(ctx.pool, ctx.schema, oldKek, newKek)).resolves.toEqual({
      rewrapped: 0,
      tombstones: 1,
      otherKids: {},
    });
  });

  it('refuses a new KEK with the old kid or the old key', async () => {
    await expect(
      rotateKeyEncryptionKey(ctx.pool, ctx.schema, oldKek, { ...newKek, kid: oldKek.kid }),
    ).rejects.toThrow(/own kid/);
    await expect(
      rotateKeyEncryptionKey(ctx.pool, ctx.schema, oldKek, { ...oldKek, kid: 'kek-x' }),
    ).rejects.toThrow(/old key/);
  });
});
