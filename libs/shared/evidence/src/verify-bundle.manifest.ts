import { keyFingerprint, parseBundlePublicKey, verifyBytes } from './bundle-signing';
import type { BundleFiles, Manifest } from './bundle.types';
import { KEY_FILE, MANIFEST_FILE, SIGNATURE_FILE } from './bundle.types';
import { sha256Hex } from './digest';
import { verifyContent } from './verify-bundle.content';
import { BundleFailure, fail, messageOf, parseJson } from './verify-bundle.failure';
import type { VerifyBundleOptions } from './verify-bundle.types';

export function verifyManifest(files: BundleFiles, options: VerifyBundleOptions): Manifest {
  const manifestBytes = files.get(MANIFEST_FILE);
  const signature = files.get(SIGNATURE_FILE);
  const keyPem = files.get(KEY_FILE);
  for (const [name, bytes] of [
    [MANIFEST_FILE, manifestBytes],
    [SIGNATURE_FILE, signature],
    [KEY_FILE, keyPem],
  ] as const) {
    if (!bytes) fail('layout', `${name} is missing: this is not an evidence bundle.`, name);
  }
  const manifest = parseJson<Manifest>(manifestBytes!, MANIFEST_FILE, 'layout');
  if (manifest.format !== 'trainyard-evidence-bundle' || manifest.version !== 1)
    fail(
      'layout',
      'manifest.json is not a version 1 trainyard evidence bundle manifest.',
      MANIFEST_FILE,
    );
  let fingerprint = '';
  let publicKey: ReturnType<typeof parseBundlePublicKey> | undefined;
  try {
    publicKey = parseBundlePublicKey(keyPem!);
    fingerprint = keyFingerprint(publicKey);
    // Byte for byte the key's own PEM: nothing rides along in the one file the manifest cannot list.
    if (publicKey.export({ format: 'pem', type: 'spki' }).toString() !== keyPem!.toString('utf8'))
      throw new Error('the file holds more than the key');
  } catch (error) {
    fail(
      'bundle-key',
      `bundle-key.pem is not an Ed25519 public key: ${messageOf(error)}`,
      KEY_FILE,
    );
  }
  if (fingerprint !== manifest.keyFingerprint)
    fail(
      'bundle-key',
      `bundle-key.pem has fingerprint ${fingerprint}, the manifest names ${String(manifest.keyFingerprint)}.`,
      KEY_FILE,
    );
  if (
    options.expectedFingerprint !== undefined &&
    options.expectedFingerprint.toLowerCase() !== fingerprint
  )
    fail(
      'bundle-key',
      `the bundle is signed by key ${fingerprint}, not by the expected ${options.expectedFingerprint}: it was re-signed by someone else.`,
      KEY_FILE,
    );
  if (!verifyBytes(manifestBytes!, signature!, publicKey!))
    fail(
      'manifest-signature',
      'manifest.sig is not a valid Ed25519 signature of manifest.json by bundle-key.pem.',
      SIGNATURE_FILE,
    );

  const listed = new Set<string>();
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const bytes = files.get(entry.path);
    if (!bytes)
      fail(
        'missing-file',
        `${entry.path} is listed in the manifest but missing from the bundle.`,
        entry.path,
      );
    const digest = sha256Hex(bytes!);
    if (digest !== entry.sha256) {
      fail(
        'file-digest',
        `${entry.path} was changed: its SHA-256 is ${digest}, the manifest says ${entry.sha256}.${diagnose(files, manifest, options)}`,
        entry.path,
      );
    }
  }
  for (const path of [...files.keys()].sort()) {
    if (path === MANIFEST_FILE || path === SIGNATURE_FILE || path === KEY_FILE) continue;
    if (!listed.has(path))
      fail(
        'unlisted-file',
        `${path} is in the bundle but not in the manifest (added after signing).`,
        path,
      );
  }
  return manifest;
}

/** For a changed file: what the content checks say about it, as a second sentence. */
function diagnose(files: BundleFiles, manifest: Manifest, options: VerifyBundleOptions): string {
  try {
    verifyContent(files, manifest, options);
    return '';
  } catch (error) {
    return error instanceof BundleFailure ? ` ${error.message}` : '';
  }
}
