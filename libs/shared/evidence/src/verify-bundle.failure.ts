import type { BundleFiles } from './bundle.types';
import type { BundleCheck } from './verify-bundle.types';

/** A failed check, thrown to stop at the first; `verifyBundle` turns it into its result. */
export class BundleFailure extends Error {
  constructor(
    readonly check: BundleCheck,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

export const fail = (check: BundleCheck, message: string, file?: string): never => {
  throw new BundleFailure(check, message, file);
};

export function requireFile(files: BundleFiles, path: string): Buffer {
  const bytes = files.get(path);
  if (!bytes) return fail('layout', `${path} is missing from the bundle.`, path);
  return bytes;
}

export function parseJson<T>(bytes: Buffer, path: string, check: BundleCheck): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    return fail(check, `${path} is not valid JSON.`, path);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
