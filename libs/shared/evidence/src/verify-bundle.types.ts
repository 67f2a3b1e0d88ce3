import type { BundleScope } from './bundle.types';

/** The kinds of check, in the order they run. */
export type BundleCheck =
  | 'layout'
  | 'bundle-key'
  | 'manifest-signature'
  | 'missing-file'
  | 'file-digest'
  | 'unlisted-file'
  | 'checkpoint'
  | 'event'
  | 'inclusion-proof'
  | 'consistency'
  | 'population'
  | 'reconciliation';

export interface BundleSummary {
  readonly scope: BundleScope;
  readonly createdAt: string;
  readonly keyFingerprint: string;
  readonly files: number;
  readonly changes: number;
  readonly complete: boolean;
  readonly services: readonly {
    readonly service: string;
    readonly origin: string;
    readonly treeSize: number;
    readonly events: number;
  }[];
}

export type BundleVerification =
  | { readonly ok: true; readonly summary: BundleSummary }
  | {
      readonly ok: false;
      readonly check: BundleCheck;
      /** The bundle file the failure is in, when there is one. */
      readonly file?: string;
      /** One sentence (or two) naming what failed. */
      readonly message: string;
    };

export interface VerifyBundleOptions {
  /** The bundle key's fingerprint as the operator gave it to the auditor (SHA-256 hex). */
  readonly expectedFingerprint?: string;
  /**
   * Service verifier keys obtained independently (`<name>+<id>+<key>`): a service whose key name
   * matches one of them must carry exactly that key.
   */
  readonly trustedVerifierKeys?: readonly string[];
  /**
   * Signed checkpoints the auditor kept (e.g. from the last bundle): each must be of a log in the
   * bundle, and the bundle's log must provably extend it.
   */
  readonly trustedCheckpoints?: readonly string[];
}
