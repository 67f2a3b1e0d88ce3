import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevKeys, signDevToken } from '@trainyard/infra';
import { AuthenticationError, TokenVerifier } from './token-verifier';

describe('TokenVerifier: remembered verifications', () => {
  const keyDir = mkdtempSync(join(tmpdir(), 'trainyard-token-verifier-'));
  const otherKeyDir = mkdtempSync(join(tmpdir(), 'trainyard-token-verifier-other-'));
  let clock = Date.now();
  let verifier: TokenVerifier;

  beforeAll(async () => {
    ensureDevKeys(otherKeyDir);
    verifier = await TokenVerifier.create({
      issuer: 'trainyard-dev',
      audience: 'trainyard',
      publicKeyFile: ensureDevKeys(keyDir).publicKeyFile,
      cacheSize: 2,
      now: () => clock,
    });
  });

  afterAll(() => {
    rmSync(keyDir, { recursive: true, force: true });
    rmSync(otherKeyDir, { recursive: true, force: true });
  });

  const sign = (subject: string, expiresIn = '8h', dir = keyDir) =>
    signDevToken({
      roles: ['viewer'],
      subject,
      expiresIn,
      issuer: 'trainyard-dev',
      audience: 'trainyard',
      keyDir: dir,
    });

  it('answers a repeated token with the same principal, and each token with its own', async () => {
    const [alice, bob, carol] = await Promise.all([sign('alice'), sign('bob'), sign('carol')]);
    for (let round = 0; round < 3; round++) {
      // Three tokens through a cache of two: every answer stays right while entries are evicted.
      expect((await verifier.verify(`Bearer ${alice}`)).subject).toBe('alice');
      expect((await verifier.verify(`Bearer ${bob}`)).subject).toBe('bob');
      expect((await verifier.verify(`Bearer ${carol}`)).subject).toBe('carol');
    }
    expect((await verifier.verify(`Bearer ${alice}`)).roles).toEqual(['viewer']);
  });

  it('refuses a remembered token once it has expired', async () => {
    clock = Date.now();
    const token = await sign('dave', '1m');
    expect((await verifier.verify(`Bearer ${token}`)).subject).toBe('dave');
    clock = Date.now() + 30_000;
    expect((await verifier.verify(`Bearer ${token}`)).subject).toBe('dave');
    clock = Date.now() + 2 * 60_000;
    await expect(verifier.verify(`Bearer ${token}`)).rejects.toThrow(
      new AuthenticationError('token expired'),
    );
    clock = Date.now();
  });

  it('keeps refusing a bad token on every call', async () => {
    const foreign = await sign('mallory', '8h', otherKeyDir);
    for (let i = 0; i < 2; i++) {
      await expect(verifier.verify(`Bearer ${foreign}`)).rejects.toBeInstanceOf(
        AuthenticationError,
      );
    }
  });
});
