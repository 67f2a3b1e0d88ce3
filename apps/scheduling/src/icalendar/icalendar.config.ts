import { unsetWhenEmpty } from '@trainyard/platform';
import { z } from 'zod';

/**
 * The iCalendar import's own settings, part of the scheduling service's settings (validated at
 * start):
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

export const ICALENDAR_SETTINGS = {
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
  SCHEDULING_ICAL_IMPORT_INTERVAL_MS: unsetWhenEmpty(
    z.coerce
      .number({ error: 'expected milliseconds' })
      .int('expected whole milliseconds')
      .min(1_000, 'expected at least 1000 milliseconds')
      .max(7 * 86_400_000, 'expected at most 604800000 milliseconds (a week)')
      .default(15 * 60_000),
  ),
  SCHEDULING_ICAL_IMPORT_MAX_BYTES: unsetWhenEmpty(
    z.coerce
      .number({ error: 'expected bytes' })
      .int('expected whole bytes')
      .positive('expected a positive number of bytes')
      .max(2 ** 30, 'expected at most 1073741824 bytes')
      .default(5 * 1024 * 1024),
  ),
};

export type ICalendarSettings = z.infer<z.ZodObject<typeof ICALENDAR_SETTINGS>>;

export const icalendarConfigOf = (settings: ICalendarSettings): ICalendarConfig => ({
  allowedUrls: settings.SCHEDULING_ICAL_IMPORT_ALLOWED_URLS,
  intervalMs: settings.SCHEDULING_ICAL_IMPORT_INTERVAL_MS,
  maxBytes: settings.SCHEDULING_ICAL_IMPORT_MAX_BYTES,
  fetchTimeoutMs: 10_000,
});
