import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKeyEncryptionKey } from './kek-config';

describe('the key-encryption key configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainyard-kek-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('given TRAINYARD_PII_KEK, then it is the key, with the configured or a derived id', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    expect(
      loadKeyEncryptionKey({ TRAINYARD_PII_KEK: key, TRAINYARD_PII_KEK_ID: 'kek-2031' }),
    ).toMatchObject({ kid: 'kek-2031' });
    expect(loadKeyEncryptionKey({ TRAINYARD_PII_KEK: key }).kid).toMatch(/^kek-[0-9a-f]{8}$/);
  });

  it('given a malformed key, then it is refused naming the variable', () => {
    expect(() => loadKeyEncryptionKey({ TRAINYARD_PII_KEK: 'c2hvcnQ=' })).toThrow(
      /TRAINYARD_PII_KEK must be the base64 of exactly 32 bytes/,
    );
  });

  it('given production and no key, then it refuses to start (a generated key would be lost with the container)', () => {
    expect(() => loadKeyEncryptionKey({ NODE_ENV: 'production' })).toThrow(
      /required in production/,
    );
    expect(() =>
      loadKeyEncryptionKey({ NODE_ENV: 'production', TRAINYARD_PII_KEK_FILE: join(dir, 'x') }),
    ).toThrow(/TRAINYARD_PII_KEK_FILE: .* does not exist/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('given production and a key mounted as a file, then the file is the key', () => {
    const file = join(dir, 'mounted.b64');
    writeFileSync(file, `${Buffer.alloc(32, 7).toString('base64')}\n`);
    const key = loadKeyEncryptionKey({ NODE_ENV: 'production', TRAINYARD_PII_KEK_FILE: file });
    expect(key.key.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('given development and no key, then one key file is created and reused', () => {
    const file = join(dir, 'dev', 'kek.b64');
    const first = loadKeyEncryptionKey({ TRAINYARD_PII_KEK_FILE: file });
    const second = loadKeyEncryptionKey({ TRAINYARD_PII_KEK_FILE: file });
    expect(second.key.equals(first.key)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.key.toString('base64'));
  });
});
