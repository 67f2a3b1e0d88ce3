import { ConfigurationError } from '@trainyard/platform';
import { z } from 'zod';

/**
 * The iCalendar import's own settings, read from the environment when the module starts:
 *
 * - `SCHEDULING_ICAL_IMPORT_ALLOWED_URLS`: comma-separated http(s) URL prefixes a source URL must
 *   start with (same scheme, host and port; the path a prefix). Empty (the default): no URL
 *   source is accepted, only posted content.
 * - `SCHEDULING_ICAL_IMPORT_INTERVAL_MS`: how often a URL source is re-read (default 15 minutes).
 * - `SCHEDULING_ICAL_IMPORT_MAX_BYTES`: the largest calendar read or posted (default 5 MiB).
 */
export interface ICalendarConfig {
  readonly allowedUrls: readonly URL[];
  readonly intervalMs: number;
  readonly maxBytes: number;
  readonly fetchTimeoutMs: number;
}

export const ICALENDAR_CONFIG = Symbol('scheduling.icalendar-config');

const schema = z.object({
  SCHEDULING_ICAL_IMPORT_ALLOWED_URLS: z
    .string()
    .default('')
    .transform((value, ctx) =>
      value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
        .flatMap((v) => {
          try {
            const url = new URL(v);
            if (url.protocol === 'http:' || url.protocol === 'https:') return [url];
          } catch {
            // reported below
          }
          ctx.addIssue({ code: 'custom', message: `expected http(s) URL prefixes; got ${v}` });
          return [];
        }),
    ),
  SCHEDULING_ICAL_IMPORT_INTERVAL_MS: z.coerce
    .number({ error: 'expected milliseconds' })
    .int('expected whole milliseconds')
    .min(1_000, 'expected at least 1000 milliseconds')
    .default(15 * 60_000),
  SCHEDULING_ICAL_IMPORT_MAX_BYTES: z.coerce
    .number({ error: 'expected bytes' })
    .int('expected whole bytes')
    .positive('expected a positive number of bytes')
    .default(5 * 1024 * 1024),
});

export const loadICalendarConfig = (env: NodeJS.ProcessEnv = process.env): ICalendarConfig => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(
      `invalid configuration: ${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return {
    allowedUrls: parsed.data.SCHEDULING_ICAL_IMPORT_ALLOWED_URLS,
    intervalMs: parsed.data.SCHEDULING_ICAL_IMPORT_INTERVAL_MS,
    maxBytes: parsed.data.SCHEDULING_ICAL_IMPORT_MAX_BYTES,
    fetchTimeoutMs: 10_000,
  };
};
