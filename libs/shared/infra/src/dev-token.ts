import { importPKCS8, SignJWT } from 'jose';
import { readDevPrivateKey } from './dev-keys';

export interface DevTokenOptions {
  readonly roles: readonly string[];
  readonly subject?: string;
  /** jose duration, e.g. '8h'. */
  readonly expiresIn?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly keyDir?: string;
}

/** A bearer token signed with the development key, as an identity provider would issue one. */
export async function signDevToken(options: DevTokenOptions): Promise<string> {
  const key = await importPKCS8(readDevPrivateKey(options.keyDir), 'ES256');
  return new SignJWT({ roles: [...options.roles] })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setSubject(options.subject ?? `dev-${options.roles[0] ?? 'user'}`)
    .setIssuer(options.issuer ?? process.env.AUTH_ISSUER ?? 'trainyard-dev')
    .setAudience(options.audience ?? process.env.AUTH_AUDIENCE ?? 'trainyard')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(key);
}
