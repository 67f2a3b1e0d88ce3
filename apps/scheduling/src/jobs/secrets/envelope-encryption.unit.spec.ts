import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  SecretDecryptionError,
  kekFingerprint,
  openSecret,
  rewrapSecret,
  sealSecret,
  type KeyRing,
} from './envelope-encryption';
import { ConfigurationError, loadServiceConfig } from '@trainyard/platform';
import { schedulingSettings } from '../../config/scheduling-settings';
import { SecretsConfigError, keyRingOf } from './key-ring.config';

const loadKeyRing = (env: NodeJS.ProcessEnv) =>
  keyRingOf(loadServiceConfig('scheduling', env, schedulingSettings));

const ringOf = (...keys: [string, Buffer][]): KeyRing => {
  const [first] = keys;
  if (!first) throw new Error('no key');
  return {
    current: { id: first[0], key: first[1] },
    byId: new Map(keys.map(([id, key]) => [id, { id, key }])),
  };
};
const kekA = randomBytes(32);
const kekB = randomBytes(32);
const ring = ringOf(['a', kekA]);

const flipByte = (buffer: Buffer, index: number): Buffer => {
  const copy = Buffer.from(buffer);
  copy[index % copy.length] = (copy[index % copy.length] ?? 0) ^ 0x01;
  return copy;
};

describe('envelope encryption', () => {
  it('given any value, when sealed and opened, then it round-trips and the sealed bytes do not contain it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300 }), (value) => {
        const sealed = sealSecret(ring, 'ledger-token', 'id-1', value);
        expect(sealed.kekId).toBe('a');
        expect(openSecret(ring, 'ledger-token', 'id-1', sealed)).toBe(value);
        // Short values may occur in random bytes by chance; longer ones must not appear.
        expect(value.length >= 8 && sealed.sealedValue.includes(Buffer.from(value, 'utf8'))).toBe(
          false,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('given the same value twice, when sealed, then the blobs differ (a random data key and IV each)', () => {
    const one = sealSecret(ring, 'n', 'i', 'same');
    const two = sealSecret(ring, 'n', 'i', 'same');
    expect(one.sealedValue.equals(two.sealedValue)).toBe(false);
    expect(one.wrappedKey.equals(two.wrappedKey)).toBe(false);
  });

  it('given any flipped byte of the value or the wrapped key, when opened, then it is refused', () => {
    const sealed = sealSecret(ring, 'n', 'i', 'a secret value');
    fc.assert(
      fc.property(fc.nat(), fc.boolean(), (index, inKey) => {
        const tampered = inKey
          ? { ...sealed, wrappedKey: flipByte(sealed.wrappedKey, index) }
          : { ...sealed, sealedValue: flipByte(sealed.sealedValue, index) };
        expect(() => openSecret(ring, 'n', 'i', tampered)).toThrow(SecretDecryptionError);
      }),
    );
  });

  it('given a sealed value opened under another name or value id, then it is refused', () => {
    const sealed = sealSecret(ring, 'n', 'i', 'v');
    expect(() => openSecret(ring, 'other', 'i', sealed)).toThrow(SecretDecryptionError);
    expect(() => openSecret(ring, 'n', 'j', sealed)).toThrow(SecretDecryptionError);
  });

  it('given the wrong KEK under the right id, when opened, then it is refused', () => {
    const sealed = sealSecret(ring, 'n', 'i', 'v');
    expect(() => openSecret(ringOf(['a', kekB]), 'n', 'i', sealed)).toThrow(
      /authentication failed/,
    );
  });

  it('given an unknown KEK id, when opened, then the id is named', () => {
    const sealed = sealSecret(ring, 'n', 'i', 'v');
    expect(() => openSecret(ringOf(['b', kekB]), 'n', 'i', sealed)).toThrow(/a is not configured/);
  });

  it('given a KEK rotation, when re-wrapped, then the new KEK alone opens it and the value blob is unchanged', () => {
    const sealed = sealSecret(ring, 'n', 'i', 'v');
    const rotated = ringOf(['b', kekB], ['a', kekA]);
    const rewrapped = rewrapSecret(rotated, 'n', 'i', sealed);
    expect(rewrapped.kekId).toBe('b');
    expect(rewrapped.sealedValue.equals(sealed.sealedValue)).toBe(true);
    expect(openSecret(ringOf(['b', kekB]), 'n', 'i', rewrapped)).toBe('v');
  });
});

describe('loadKeyRing', () => {
  it('given no KEK, then there is no key ring', () => {
    expect(loadKeyRing({})).toBeUndefined();
  });
  it('given a KEK, then its id defaults to its fingerprint, previous KEKs unwrap', () => {
    const loaded = loadKeyRing({
      SCHEDULING_SECRETS_KEK: kekA.toString('base64'),
      SCHEDULING_SECRETS_PREVIOUS_KEKS: `old-1=${kekB.toString('base64')}`,
    });
    expect(loaded?.current.id).toBe(kekFingerprint(kekA));
    expect(loaded?.byId.get('old-1')?.key.equals(kekB)).toBe(true);
  });
  it('given a malformed KEK, then the variable is named', () => {
    expect(() => loadKeyRing({ SCHEDULING_SECRETS_KEK: 'short' })).toThrow(ConfigurationError);
    expect(() =>
      loadKeyRing({ SCHEDULING_SECRETS_KEK: randomBytes(16).toString('base64') }),
    ).toThrow(/SCHEDULING_SECRETS_KEK: must be 32 bytes/);
    expect(() =>
      loadKeyRing({
        SCHEDULING_SECRETS_KEK: kekA.toString('base64'),
        SCHEDULING_SECRETS_PREVIOUS_KEKS: 'nope',
      }),
    ).toThrow(/SCHEDULING_SECRETS_PREVIOUS_KEKS/);
  });
  it('given a previous KEK under the current id, then the start is refused naming the variable', () => {
    const attempt = () =>
      loadKeyRing({
        SCHEDULING_SECRETS_KEK: kekA.toString('base64'),
        SCHEDULING_SECRETS_KEK_ID: 'k1',
        SCHEDULING_SECRETS_PREVIOUS_KEKS: `k1=${kekB.toString('base64')}`,
      });
    expect(attempt).toThrow(SecretsConfigError);
    expect(attempt).toThrow(/SCHEDULING_SECRETS_PREVIOUS_KEKS: .*distinct/);
  });
});
