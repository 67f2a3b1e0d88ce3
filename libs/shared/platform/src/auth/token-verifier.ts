import { readFileSync } from 'node:fs';
import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type JWTVerifyGetKey,
  type CryptoKey,
} from 'jose';
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
  /** How many verified tokens are remembered (default 1,000); 0 turns the cache off. */
  readonly cacheSize?: number;
  /** Milliseconds since the epoch; a test's clock, else Date.now. */
  readonly now?: () => number;
}

/**
 * How long a remembered verification may be reused at most, even if the token lives longer: bounds
 * how long a key rotated out at the identity provider keeps being accepted.
 */
const CACHE_MAX_AGE_MS = 60_000;

interface VerifiedToken {
  readonly principal: Principal;
  readonly validUntilMs: number;
}

export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

/**
 * Verifies bearer JWTs (signature, expiry, not-before, issuer, audience) with jose. A client sends
 * the same token on every call, and the signature check is one of the largest CPU costs of a small
 * command (about a tenth of the planning service's CPU under load), so verified tokens are
 * remembered (bounded, oldest out first) until their `exp` or CACHE_MAX_AGE_MS, whichever comes
 * first; refusals are never remembered.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, VerifiedToken>();
  private readonly cacheSize: number;
  private readonly now: () => number;

  private constructor(
    private readonly key: CryptoKey | JWTVerifyGetKey,
    private readonly options: TokenVerifierOptions,
  ) {
    this.cacheSize = options.cacheSize ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  static async create(options: TokenVerifierOptions): Promise<TokenVerifier> {
    if (options.jwksUrl)
      return new TokenVerifier(createRemoteJWKSet(new URL(options.jwksUrl)), options);
    if (!options.publicKeyFile)
      throw new Error('AUTH_PUBLIC_KEY_FILE or AUTH_JWKS_URL must be set');
    const pem = readFileSync(options.publicKeyFile, 'utf8');
    const algorithm = /BEGIN PUBLIC KEY/.test(pem) ? detectAlgorithm(pem) : 'ES256';
    return new TokenVerifier(await importSPKI(pem, algorithm), options);
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new AuthenticationError('missing bearer token');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw new AuthenticationError('authorization must be "Bearer <token>"');
    const token = match[1];
    const now = this.now();
    const remembered = this.verified.get(token);
    if (remembered) {
      if (now < remembered.validUntilMs) return remembered.principal;
      this.verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, this.key as CryptoKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: TOKEN_ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 5,
        currentDate: new Date(now),
      });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is string => typeof r === 'string')
        : [];
      const principal: Principal = {
        subject: payload.sub!,
        roles,
        permissions: permissionsOf(roles),
      };
      this.remember(token, principal, Math.min(payload.exp! * 1000, now + CACHE_MAX_AGE_MS), now);
      return principal;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new AuthenticationError('token expired');
      if (error instanceof errors.JOSEError)
        throw new AuthenticationError(`invalid token: ${error.message}`);
      throw error;
    }
  }

  private remember(token: string, principal: Principal, validUntilMs: number, now: number): void {
    // Past `exp` but inside jose's clock tolerance: accepted, but verified again next time.
    if (this.cacheSize <= 0 || validUntilMs <= now) return;
    while (this.verified.size >= this.cacheSize) {
      const oldest = this.verified.keys().next();
      if (oldest.done) break;
      this.verified.delete(oldest.value);
    }
    this.verified.set(token, { principal, validUntilMs });
  }
}

function detectAlgorithm(pem: string): string {
  // SPKI of P-256 keys is 91 bytes, Ed25519 44; anything longer is RSA.
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  if (der.length === 44) return 'EdDSA';
  if (der.length === 91) return 'ES256';
  return 'RS256';
}
