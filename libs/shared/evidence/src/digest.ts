import { createHash } from 'node:crypto';

/** SHA-256 of `bytes`, lower-case hex (what `sha256sum` prints). */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
