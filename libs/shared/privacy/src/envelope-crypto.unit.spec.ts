import fc from 'fast-check';
import { isSealedPersonalData } from '@trainyard/kernel';
import {
  PersonalDataIntegrityError,
  generateDataKey,
  keyEncryptionKey,
  openPersonalValue,
  sealPersonalValue,
  unwrapDataKey,
  wrapDataKey,
} from './envelope-crypto';

const kek = keyEncryptionKey(Buffer.alloc(32, 7), 'kek-test');

const flip = (b64: string, at: number): string => {
  const bytes = Buffer.from(b64, 'base64');
  bytes[at % bytes.length]! ^= 0x01;
  return bytes.toString('base64');
};

describe('envelope encryption of personal data', () => {
  describe('given a subject data key', () => {
    it('then any text sealed for the subject opens to the same text', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'grapheme' }),
          fc.string({ minLength: 1 }),
          (value, subject) => {
            const dek = generateDataKey();
            const sealed = sealPersonalValue(dek, kek.kid, subject, value);
            expect(isSealedPersonalData(sealed)).toBe(true);
            expect(openPersonalValue(dek, sealed)).toBe(value);
          },
        ),
      );
    });

    it('then the envelope holds no plaintext and two seals of one value differ (fresh nonce)', () => {
      const dek = generateDataKey();
      const a = sealPersonalValue(dek, kek.kid, 'emp-1', 'Ada Lovelace');
      const b = sealPersonalValue(dek, kek.kid, 'emp-1', 'Ada Lovelace');
      expect(JSON.stringify(a)).not.toContain('Ada');
      expect(a.$pii.ct).not.toBe(b.$pii.ct);
      expect(a.$pii).toMatchObject({ v: 1, subject: 'emp-1', kid: 'kek-test' });
    });

    it('when any byte of the ciphertext or nonce is changed, then opening fails (never a wrong plaintext)', () => {
      const dek = generateDataKey();
      const sealed = sealPersonalValue(dek, kek.kid, 'emp-1', 'Ada Lovelace');
      fc.assert(
        fc.property(fc.nat(), fc.boolean(), (at, inNonce) => {
          const changed = {
            $pii: inNonce
              ? { ...sealed.$pii, iv: flip(sealed.$pii.iv, at) }
              : { ...sealed.$pii, ct: flip(sealed.$pii.ct, at) },
          };
          expect(() => openPersonalValue(dek, changed)).toThrow(PersonalDataIntegrityError);
        }),
      );
    });

    it('when the envelope is relabelled to another subject, then it does not open', () => {
      const dek = generateDataKey();
      const sealed = sealPersonalValue(dek, kek.kid, 'emp-1', 'Ada Lovelace');
      expect(() => openPersonalValue(dek, { $pii: { ...sealed.$pii, subject: 'emp-2' } })).toThrow(
        PersonalDataIntegrityError,
      );
    });

    it('when opened with another key (the subject key was replaced), then it fails', () => {
      const sealed = sealPersonalValue(generateDataKey(), kek.kid, 'emp-1', 'Ada Lovelace');
      expect(() => openPersonalValue(generateDataKey(), sealed)).toThrow(
        PersonalDataIntegrityError,
      );
    });
  });

  describe('given a data key wrapped by the KEK', () => {
    it('then it unwraps to the same key for its subject only', () => {
      const dek = generateDataKey();
      const wrapped = wrapDataKey(kek, 'emp-1', dek);
      expect(wrapped.includes(dek)).toBe(false);
      expect(unwrapDataKey(kek, 'emp-1', wrapped).equals(dek)).toBe(true);
      expect(() => unwrapDataKey(kek, 'emp-2', wrapped)).toThrow(PersonalDataIntegrityError);
    });

    it('when unwrapped with another KEK or with a changed byte, then it fails', () => {
      const wrapped = wrapDataKey(kek, 'emp-1', generateDataKey());
      const other = keyEncryptionKey(Buffer.alloc(32, 8), 'kek-test');
      expect(() => unwrapDataKey(other, 'emp-1', wrapped)).toThrow(PersonalDataIntegrityError);
      const changed = Buffer.from(wrapped);
      changed[20]! ^= 0x80;
      expect(() => unwrapDataKey(kek, 'emp-1', changed)).toThrow(PersonalDataIntegrityError);
      expect(() => unwrapDataKey(kek, 'emp-1', wrapped.subarray(0, 10))).toThrow(
        PersonalDataIntegrityError,
      );
    });
  });

  describe('given a key-encryption key configuration', () => {
    it('then a key of another length or a malformed key id is refused', () => {
      expect(() => keyEncryptionKey(Buffer.alloc(16))).toThrow(/32 bytes/);
      expect(() => keyEncryptionKey(Buffer.alloc(32), 'bad id!')).toThrow(/key id/);
      expect(keyEncryptionKey(Buffer.alloc(32)).kid).toMatch(/^kek-[0-9a-f]{8}$/);
    });
  });
});
