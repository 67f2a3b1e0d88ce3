import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sha256Hex } from './digest';

/**
 * The bundle's Ed25519 key. The manifest is signed with the private key; the bundle carries the
 * public key (`bundle-key.pem`, SPKI PEM, what `openssl pkeyutl -verify -pubin` reads) and names its
 * fingerprint, which the operator hands the auditor separately so a re-signed bundle is told apart.
 */
export interface BundleSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
  /** SHA-256 (hex) of the raw 32-byte public key. */
  readonly fingerprint: string;
  /** True when generated for this bundle only (its private key is never written anywhere). */
  readonly ephemeral: boolean;
}

export function bundleSigningKey(privateKey: KeyObject, ephemeral = false): BundleSigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error('the bundle signing key must be an Ed25519 private key');
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    fingerprint: keyFingerprint(publicKey),
    ephemeral,
  };
}

/** A fresh key for one bundle. */
export function generateBundleSigningKey(): BundleSigningKey {
  return bundleSigningKey(generateKeyPairSync('ed25519').privateKey, true);
}

/** The operator's key: a PKCS#8 PEM file (e.g. `openssl genpkey -algorithm ed25519`). */
export function loadBundleSigningKey(file: string): BundleSigningKey {
  return bundleSigningKey(createPrivateKey(readFileSync(file)));
}

export function keyFingerprint(publicKey: KeyObject): string {
  return sha256Hex(rawEd25519PublicKey(publicKey));
}

/** The public key of an SPKI PEM; throws when it is not Ed25519. */
export function parseBundlePublicKey(pem: string | Buffer): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the bundle key is not an Ed25519 key');
  return key;
}

/** Raw 64-byte Ed25519 signature of `message`. */
export function signBytes(message: Uint8Array, key: BundleSigningKey): Buffer {
  return sign(null, message, key.privateKey);
}

export function verifyBytes(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: KeyObject,
): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

function rawEd25519PublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}
