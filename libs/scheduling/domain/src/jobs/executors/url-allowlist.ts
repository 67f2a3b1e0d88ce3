/**
 * The operator's allowlist of HTTP targets (issue 12, item 2): each entry an origin, optionally
 * with a path prefix (`https://api.example.com`, `http://127.0.0.1:8080/hooks/`). A URL is allowed
 * when its scheme, host and port equal an entry's and its path starts with the entry's path at a
 * segment boundary (`/hooks` admits `/hooks` and `/hooks/x`, not `/hooks-admin`). URLs with
 * credentials (`user:pass@`) are refused. Redirects are checked against the same list.
 */
export interface AllowedTarget {
  readonly origin: string;
  /** Normalised, without a trailing slash; '' admits every path of the origin. */
  readonly pathPrefix: string;
}
export type UrlAllowlist = readonly AllowedTarget[];

export class AllowlistConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllowlistConfigError';
  }
}

/** Parses the comma- or whitespace-separated entries; throws naming the bad entry. */
export const parseUrlAllowlist = (text: string | undefined): UrlAllowlist => {
  const entries = (text ?? '').split(/[\s,]+/).filter((e) => e !== '');
  return entries.map((entry) => {
    if (!URL.canParse(entry))
      throw new AllowlistConfigError(`allowlist entry ${JSON.stringify(entry)} is not a URL`);
    const url = new URL(entry);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new AllowlistConfigError(
        `allowlist entry ${JSON.stringify(entry)} must be an http or https origin`,
      );
    if (url.username || url.password || url.search || url.hash)
      throw new AllowlistConfigError(
        `allowlist entry ${JSON.stringify(entry)} must be an origin with an optional path, without credentials, query or fragment`,
      );
    return { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, '') };
  });
};

/** Whether `url` may be called (or redirected to). */
export const isUrlAllowed = (url: URL, allowlist: UrlAllowlist): boolean => {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username !== '' || url.password !== '') return false;
  return allowlist.some(
    (entry) =>
      entry.origin === url.origin &&
      (entry.pathPrefix === '' ||
        url.pathname === entry.pathPrefix ||
        url.pathname.startsWith(`${entry.pathPrefix}/`)),
  );
};

/** Why a URL is refused, for a task's detail (the origin and path only, never the query). */
export const describeRefusal = (url: URL): string =>
  `${url.origin}${url.pathname} is not on the HTTP allowlist (SCHEDULING_HTTP_ALLOWLIST)`;
