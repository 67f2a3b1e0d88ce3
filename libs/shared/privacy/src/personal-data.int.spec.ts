import { ERASED_PERSONAL_DATA } from '@trainyard/kernel';
import { createTestContext, type TestContext } from '@trainyard/testing';
import { keyEncryptionKey } from './envelope-crypto';
import { PersonalData, UNAVAILABLE_PERSONAL_DATA, UNREADABLE_PERSONAL_DATA } from './personal-data';
import { SubjectErasedError, SubjectKeyStore } from './subject-key.store';

// The subject-key store on PostgreSQL: keys created once per subject and stored only wrapped,
// envelopes opened on read, erasure overwriting the key and keeping a tombstone, visible to another
// instance at once (no cache), and nothing sealed for an erased subject.

describe('personal data sealed per subject (PostgreSQL key store)', () => {
  let ctx: TestContext;
  let personal: PersonalData;
  const kek = keyEncryptionKey(Buffer.alloc(32, 3), 'kek-int');

  beforeAll(async () => {
    ctx = await createTestContext('privacy_keys');
    personal = await PersonalData.open(ctx.pool, ctx.schema, kek);
  });
  afterAll(async () => ctx.dispose());

  it('stores one wrapped key per subject, never the raw key, and reveals what was sealed', async () => {
    const a = await personal.seal('emp-100', 'Grace Hopper');
    const b = await personal.seal('emp-100', 'G. Hopper');
    await personal.seal('emp-101', 'Alan Turing');
    const { rows } = await ctx.pool.query<{ subject_id: string; wrapped_key: Buffer }>(
      `SELECT subject_id, wrapped_key FROM subject_keys WHERE subject_id LIKE 'emp-10%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.subject_id)).toEqual(['emp-100', 'emp-101']);
    expect(rows[0]!.wrapped_key.length).toBe(12 + 32 + 16);
    expect(await personal.reveal(a)).toBe('Grace Hopper');
    expect(await personal.revealDeep({ list: [{ who: a }, { who: b }], n: 1 })).toEqual({
      list: [{ who: 'Grace Hopper' }, { who: 'G. Hopper' }],
      n: 1,
    });
  });

  it('erases a subject: the key is gone, a tombstone remains, every reader sees [erased], others unaffected', async () => {
    const sealed = await personal.seal('emp-200', 'Katherine Johnson');
    const other = await personal.seal('emp-201', 'Dorothy Vaughan');
    // A second instance (another service) over the same table.
    const elsewhere = new PersonalData(new SubjectKeyStore(ctx.pool, ctx.schema, kek));
    expect(await elsewhere.reveal(sealed)).toBe('Katherine Johnson');

    const erasure = await personal.keys.erase(
      'emp-200',
      'user:dpo',
      'GDPR art. 17 request #7',
      new Date('2031-01-02T03:04:05Z'),
    );
    expect(erasure).toMatchObject({ erasedNow: true, erasedBy: 'user:dpo' });

    expect(await elsewhere.reveal(sealed)).toBe(ERASED_PERSONAL_DATA);
    expect(await elsewhere.revealDeep([sealed, other])).toEqual([
      ERASED_PERSONAL_DATA,
      'Dorothy Vaughan',
    ]);
    const { rows } = await ctx.pool.query(
      `SELECT wrapped_key, erased_by, erasure_reason, erased_at FROM subject_keys WHERE subject_id = 'emp-200'`,
    );
    expect(rows[0]).toMatchObject({
      wrapped_key: null,
      erased_by: 'user:dpo',
      erasure_reason: 'GDPR art. 17 request #7',
    });
    await expect(personal.seal('emp-200', 'Katherine Johnson')).rejects.toBeInstanceOf(
      SubjectErasedError,
    );

    // Erasing again keeps the first tombstone.
    const again = await personal.keys.erase('emp-200', 'user:other', 'again', new Date());
    expect(again).toMatchObject({ erasedNow: false, erasedBy: 'user:dpo' });
  });

  it('shows [unavailable] for an envelope whose subject this store never knew', async () => {
    const foreign = await (
      await PersonalData.open(ctx.pool, ctx.schema, kek)
    ).seal('emp-300', 'Mary Jackson');
    await ctx.pool.query(`DELETE FROM subject_keys WHERE subject_id = 'emp-300'`);
    expect(await personal.reveal(foreign)).toBe(UNAVAILABLE_PERSONAL_DATA);
  });

  it('shows a changed envelope as unreadable (never as data), without failing the other values', async () => {
    const sealed = await personal.seal('emp-500', 'Hedy Lamarr');
    const ct = Buffer.from(sealed.$pii.ct, 'base64');
    ct[0]! ^= 0x01;
    const changed = { $pii: { ...sealed.$pii, ct: ct.toString('base64') } };
    expect(await personal.revealDeep([changed, sealed])).toEqual([
      UNREADABLE_PERSONAL_DATA,
      'Hedy Lamarr',
    ]);
  });

  it('refuses to open keys wrapped by another KEK than the configured one (no silent garbage)', async () => {
    await personal.seal('emp-400', 'Annie Easley');
    const rotated = new PersonalData(
      new SubjectKeyStore(ctx.pool, ctx.schema, keyEncryptionKey(Buffer.alloc(32, 4), 'kek-new')),
    );
    await expect(rotated.seal('emp-400', 'x')).rejects.toThrow(/wrapped by KEK kek-int/);
  });
});
