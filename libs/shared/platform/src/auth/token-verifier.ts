import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTVerifyGetKey, type CryptoKey } from 'jose';
import { permissionsOf } from './permissions';
import type { Principal } from './principal';

export const TOKEN_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  /** PEM (SPKI) public key file, as `npm run token` signs for, or… */
  readonly publicKeyFile?: string;
  /** …an identity provider's JWKS endpoint. */
  readonly jwksUrl?: string;
}

export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

/** Verifies bearer JWTs (signature, expiry, not-before, issuer, audience) with jose. */
export class TokenVerifier {
  private constructor(
    private readonly key: CryptoKey | JWTVerifyGetKey,
    private readonly options: TokenVerifierOptions,
  ) {}

  static async create(options: TokenVerifierOptions): Promise<TokenVerifier> {
    if (options.jwksUrl) return new TokenVerifier(createRemoteJWKSet(new URL(options.jwksUrl)), options);
    if (!options.publicKeyFile) throw new Error('AUTH_PUBLIC_KEY_FILE or AUTH_JWKS_URL must be set');
    const pem = readFileSync(options.publicKeyFile, 'utf8');
    const algorithm = /BEGIN PUBLIC KEY/.test(pem) ? detectAlgorithm(pem) : 'ES256';
    return new TokenVerifier(await importSPKI(pem, algorithm), options);
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new AuthenticationError('missing bearer token');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw new AuthenticationError('authorization must be "Bearer <token>"');
    try {
      const { payload } = await jwtVerify(match[1], this.key as CryptoKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: TOKEN_ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 5,
      });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
      return { subject: payload.sub!, roles, permissions: permissionsOf(roles) };
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new AuthenticationError('token expired');
      if (error instanceof errors.JOSEError) throw new AuthenticationError(`invalid token: ${error.message}`);
      throw error;
    }
  }
}

function detectAlgorithm(pem: string): string {
  // SPKI of P-256 keys is 91 bytes, Ed25519 44; anything longer is RSA.
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  if (der.length === 44) return 'EdDSA';
  if (der.length === 91) return 'ES256';
  return 'RS256';
}
