import { Inject, Injectable } from '@nestjs/common';
import { RuleViolation, ValidationError } from '@trainyard/kernel';
import { ICALENDAR_CONFIG, type ICalendarConfig } from './icalendar.config';

/**
 * The URL as given if it is an http(s) URL under one of the allowlisted prefixes (same scheme,
 * host and port, path starting with the prefix's), else a 400 naming `url`. Credentials in the
 * URL are refused: they would end up in events and logs.
 */
export const assertAllowedUrl = (value: unknown, allowed: readonly URL[]): string => {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new ValidationError('url', `url must be an absolute http(s) URL; got ${String(value)}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ValidationError('url', `url must be an http(s) URL; got ${url.protocol}.`);
  if (url.username !== '' || url.password !== '')
    throw new ValidationError('url', 'url must not carry credentials.');
  const allowedBy = allowed.find(
    (prefix) =>
      prefix.protocol === url.protocol &&
      prefix.host === url.host &&
      url.pathname.startsWith(prefix.pathname),
  );
  if (!allowedBy)
    throw new ValidationError(
      'url',
      `url ${url.href} is not on the calendar import allowlist (SCHEDULING_ICAL_IMPORT_ALLOWED_URLS).`,
    );
  return url.href;
};

/** Reads a calendar over http(s): allowlist checked again, no redirects (they could leave it), size and time bounded. */
@Injectable()
export class CalendarSourceFetcher {
  constructor(@Inject(ICALENDAR_CONFIG) private readonly config: ICalendarConfig) {}

  async fetch(url: string): Promise<string> {
    const allowed = assertAllowedUrl(url, this.config.allowedUrls);
    let response: Response;
    try {
      response = await fetch(allowed, {
        redirect: 'error',
        headers: { accept: 'text/calendar, text/plain;q=0.5' },
        signal: AbortSignal.timeout(this.config.fetchTimeoutMs),
      });
    } catch (error) {
      throw new RuleViolation(
        'calendar-import-source-readable',
        `The calendar at ${allowed} could not be read: ${error instanceof Error ? error.message : String(error)}.`,
      );
    }
    if (!response.ok)
      throw new RuleViolation(
        'calendar-import-source-readable',
        `The calendar at ${allowed} answered HTTP ${response.status}.`,
      );
    return readBounded(response.body, this.config.maxBytes, allowed);
  }
}

const readBounded = async (
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  url: string,
): Promise<string> => {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new RuleViolation(
        'calendar-import-source-size',
        `The calendar at ${url} is larger than ${maxBytes} bytes.`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
};
