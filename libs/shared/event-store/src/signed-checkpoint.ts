import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Checkpoints in the C2SP formats: tlog-checkpoint (the body) and signed-note (the signature).
 *
 *   <origin>\n<tree size, decimal>\n<root hash, base64>\n
 *   \n
 *   — <key name> <base64(key id (4 bytes) ‖ Ed25519 signature (64 bytes))>\n
 *
 * The signature covers the body (the first three lines, each with its newline). The key id is the
 * first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key); the verifier key
 * is published as `<key name>+<key id, 8 hex digits>+<base64(0x01 ‖ public key)>`.
 */

export interface TreeCheckpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
}

export interface NoteSignature {
  readonly keyName: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

export interface SignedTreeCheckpoint extends TreeCheckpoint {
  /** The whole signed note, as published. */
  readonly note: string;
  readonly signatures: readonly NoteSignature[];
}

const ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
const NAME = /^[^\s+]+$/;

export function checkpointBody(checkpoint: TreeCheckpoint): string {
  if (!checkpoint.origin || checkpoint.origin.includes('\n'))
    throw new Error('checkpoint origin must be one non-empty line');
  if (checkpoint.rootHash.length !== 32) throw new Error('checkpoint root hash must be 32 bytes');
  return `${checkpoint.origin}\n${checkpoint.treeSize}\n${checkpoint.rootHash.toString('base64')}\n`;
}

export function noteKeyId(keyName: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(keyName, 'utf8')
    .update(Buffer.from([0x0a, ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** An Ed25519 note signer: the key's name (the log's origin by default) and its key pair. */
export class CheckpointSigner {
  readonly publicKey: Buffer;
  readonly keyId: Buffer;

  constructor(
    readonly keyName: string,
    private readonly privateKey: KeyObject,
  ) {
    if (!NAME.test(keyName))
      throw new Error(
        `note key name ${JSON.stringify(keyName)} must be non-empty without spaces or '+'`,
      );
    if (privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error('checkpoint signing key must be Ed25519');
    this.publicKey = rawPublicKey(createPublicKey(privateKey));
    this.keyId = noteKeyId(keyName, this.publicKey);
  }

  /** `<name>+<key id hex>+<base64(0x01 ‖ public key)>`: give this to auditors. */
  get verifierKey(): string {
    return formatVerifierKey(this.keyName, this.publicKey);
  }

  sign(checkpoint: TreeCheckpoint): SignedTreeCheckpoint {
    const body = checkpointBody(checkpoint);
    const signature = sign(null, Buffer.from(body, 'utf8'), this.privateKey);
    const line = `${SIGNATURE_PREFIX}${this.keyName} ${Buffer.concat([this.keyId, signature]).toString('base64')}\n`;
    return {
      ...checkpoint,
      note: `${body}\n${line}`,
      signatures: [{ keyName: this.keyName, keyId: this.keyId, signature }],
    };
  }
}

export function formatVerifierKey(keyName: string, publicKey: Buffer): string {
  return `${keyName}+${noteKeyId(keyName, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString('base64')}`;
}

export interface VerifierKey {
  readonly keyName: string;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
}

export function parseVerifierKey(text: string): VerifierKey {
  // The key's base64 may itself contain '+': the name and the id never do.
  const [, keyName, idHex, key] = /^([^\s+]+)\+([0-9a-f]{8})\+(\S+)$/.exec(text.trim()) ?? [];
  const raw = Buffer.from(key ?? '', 'base64');
  if (!keyName || !idHex || raw.length !== 33 || raw[0] !== ED25519) {
    throw new Error('not an Ed25519 note verifier key (<name>+<8 hex>+<base64(0x01 ‖ key)>)');
  }
  const publicKey = raw.subarray(1);
  const keyId = Buffer.from(idHex, 'hex');
  if (!noteKeyId(keyName, publicKey).equals(keyId))
    throw new Error('verifier key id does not match its name and key');
  return { keyName, keyId, publicKey };
}

/** Parses a signed checkpoint note; checks its shape, not its signatures. */
export function parseSignedCheckpoint(note: string): SignedTreeCheckpoint {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n'))
    throw new Error('not a signed note: no blank line or no final newline');
  const body = note.slice(0, split + 1);
  const lines = body.split('\n').slice(0, -1);
  if (lines.length < 3)
    throw new Error('checkpoint body needs origin, tree size and root hash lines');
  const [origin, size, root] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size)))
    throw new Error(`checkpoint tree size ${JSON.stringify(size)} is not a decimal size`);
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root)
    throw new Error('checkpoint root hash is not 32 bytes of base64');
  const signatures = note
    .slice(split + 2, -1)
    .split('\n')
    .map((line) => {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      const raw = Buffer.from(match?.[2] ?? '', 'base64');
      if (!match || raw.length < 5)
        throw new Error(`not a note signature line: ${JSON.stringify(line)}`);
      return { keyName: match[1]!, keyId: raw.subarray(0, 4), signature: raw.subarray(4) };
    });
  return { origin, treeSize: Number(size), rootHash, note, signatures };
}

/** Parses `note` and checks it carries a valid signature by `key`; throws why not. */
export function verifySignedCheckpoint(
  note: string,
  key: VerifierKey | string,
): SignedTreeCheckpoint {
  const verifier = typeof key === 'string' ? parseVerifierKey(key) : key;
  const checkpoint = parseSignedCheckpoint(note);
  const body = Buffer.from(note.slice(0, note.indexOf('\n\n') + 1), 'utf8');
  const publicKey = createPublicKey({ key: spki(verifier.publicKey), format: 'der', type: 'spki' });
  const ours = checkpoint.signatures.filter(
    (s) => s.keyName === verifier.keyName && s.keyId.equals(verifier.keyId),
  );
  if (ours.length === 0) throw new Error(`checkpoint is not signed by ${verifier.keyName}`);
  if (!ours.some((s) => s.signature.length === 64 && verify(null, body, publicKey, s.signature))) {
    throw new Error(`checkpoint signature by ${verifier.keyName} is invalid`);
  }
  return checkpoint;
}

/**
 * The Ed25519 signing key in `file` (PKCS#8 PEM), created on first use with mode 0600, and its
 * verifier key written beside it as `<file>.vkey`. Several processes may race to create it: the
 * first write wins, the others read it.
 */
export function loadOrCreateSigningKey(file: string, keyName: string): CheckpointSigner {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
    }
    pem = readFileSync(file, 'utf8');
  }
  const signer = new CheckpointSigner(keyName, createPrivateKey(pem));
  writeFileSync(`${file}.vkey`, `${signer.verifierKey}\n`);
  return signer;
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

// SubjectPublicKeyInfo of an Ed25519 key: a fixed 12-byte prefix (RFC 8410) and the raw key.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
function spki(publicKey: Buffer): Buffer {
  return Buffer.concat([ED25519_SPKI_PREFIX, publicKey]);
}
