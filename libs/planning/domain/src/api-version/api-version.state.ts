/** One version of one API: in use, or deprecated on a timeline that does not change once announced. */
export type ApiVersion =
  | { readonly status: 'Active' }
  | {
      readonly status: 'Deprecated';
      readonly api: string;
      readonly version: string;
      readonly deprecatedAt: string;
      readonly sunsetAt?: string;
    };

export const initialApiVersion = (): ApiVersion => ({ status: 'Active' });

/** Stream of one API version: `api-version-<api>@<version>`. */
export const apiVersionStreamKey = (api: string, version: string): string => `${api}@${version}`;
