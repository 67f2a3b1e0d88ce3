import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localDir } from './repo-root';

export interface DevKeys {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
}

/**
 * A development ES256 key pair in `.local/auth` (git-ignored), created on first use: services
 * verify tokens with the public key by default and `npm run token` signs with the private one.
 * Production sets AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE to the identity provider's key instead.
 */
export function ensureDevKeys(dir: string = localDir('auth')): DevKeys {
  const privateKeyFile = join(dir, 'dev-private.pem');
  const publicKeyFile = join(dir, 'dev-public.pem');
  if (!existsSync(privateKeyFile) || !existsSync(publicKeyFile)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { privateKeyFile, publicKeyFile };
}

export function readDevPrivateKey(dir?: string): string {
  return readFileSync(ensureDevKeys(dir).privateKeyFile, 'utf8');
}
