/**
 * Personal data inside an event, sealed for one data subject (issue 13 item 6, docs/adr/0013):
 * AES-256-GCM under the subject's own data key, so erasing that key makes every copy unreadable
 * while the Merkle leaf (which covers this ciphertext) still verifies. Domain code carries the
 * envelope as an opaque value; `@trainyard/privacy` seals and opens it.
 */
export interface SealedPersonalData {
  readonly $pii: {
    /** Envelope layout version. */
    readonly v: 1;
    /** The data subject's pseudonymous id (never the personal data itself). */
    readonly subject: string;
    /** The key-encryption key id the subject's data key was wrapped with when this was sealed. */
    readonly kid: string;
    /** 12-byte GCM nonce, base64. */
    readonly iv: string;
    /** Ciphertext followed by the 16-byte GCM tag, base64. */
    readonly ct: string;
  };
}

/** What readers show where a subject's data was erased. */
export const ERASED_PERSONAL_DATA = '[erased]';

export const isSealedPersonalData = (value: unknown): value is SealedPersonalData => {
  if (typeof value !== 'object' || value === null || !('$pii' in value)) return false;
  const inner = value.$pii;
  if (typeof inner !== 'object' || inner === null) return false;
  const e = inner as Record<string, unknown>;
  return (
    e['v'] === 1 &&
    typeof e['subject'] === 'string' &&
    typeof e['kid'] === 'string' &&
    typeof e['iv'] === 'string' &&
    typeof e['ct'] === 'string'
  );
};
