import type { BundleFiles } from './bundle.types';
import { BundleFailure, messageOf } from './verify-bundle.failure';
import { verifyContent } from './verify-bundle.content';
import { verifyManifest } from './verify-bundle.manifest';
import type { BundleVerification, VerifyBundleOptions } from './verify-bundle.types';

export type {
  BundleCheck,
  BundleSummary,
  BundleVerification,
  VerifyBundleOptions,
} from './verify-bundle.types';

/**
 * Verifies a bundle offline, with pure functions only, and names the first thing that fails:
 * the manifest's signature, every file's digest and that no file is unlisted, then (independent
 * of the manifest, so a bundle re-signed with another key is still caught) each checkpoint's
 * signature, each event's leaf hash and inclusion proof, the population recomputed from the
 * proven events, and the reconciliation counts.
 */
export function verifyBundle(
  files: BundleFiles,
  options: VerifyBundleOptions = {},
): BundleVerification {
  try {
    const manifest = verifyManifest(files, options);
    const summary = verifyContent(files, manifest, options);
    return { ok: true, summary };
  } catch (error) {
    if (error instanceof BundleFailure)
      return {
        ok: false,
        check: error.check,
        message: error.message,
        ...(error.file === undefined ? {} : { file: error.file }),
      };
    // A file of the right digest but the wrong shape (only a re-signed bundle can have one).
    return {
      ok: false,
      check: 'layout',
      message: `the bundle's content is malformed: ${messageOf(error)}`,
    };
  }
}
