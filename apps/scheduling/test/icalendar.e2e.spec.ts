import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import * as nodeIcal from 'node-ical';
import {
  ManualClock,
  createTestContext,
  startTestService,
  waitFor,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

const INTERVAL_MS = 4_000;

/** Percent-encoded; a lone surrogate as the bytes a hostile client would send for it. */
const urlEncoded = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

const vevent = (uid: string, start: string, extra: string[] = []) =>
  [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20310101T000000Z',
    `DTSTART;TZID=Europe/Berlin:${start}`,
    'DURATION:PT2H',
    'CATEGORIES:component:ledger',
    ...extra,
    'END:VEVENT',
  ].join('\r\n');
const calendar = (...events: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//ITSM//EN', ...events, 'END:VCALENDAR', ''].join(
    '\r\n',
  );

/** iCalendar in and out over the real service: a loopback ITSM server, the allowlist, the schedule. */
describe('iCalendar import and feed', () => {
  const clock = new ManualClock('2031-05-04T09:00:00.000Z');
  let served = calendar(
    vevent('CHG-1@itsm', '20310510T020000', ['RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=10']),
    vevent('CHG-2@itsm', '20310511T220000'),
  );
  let requests = 0;
  let itsm: Server;
  let base: string;
  let ctx: TestContext;
  let service: TestService;
  let writer: string;
  let reader: string;

  const http = (path: string, init: RequestInit = {}, token = writer) =>
    fetch(`${service.httpUrl}/api/scheduling/${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body && typeof init.body === 'string' && init.body.startsWith('{')
          ? { 'content-type': 'application/json' }
          : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  const importEvents = async (sourceId: string) => {
    const rows = await ctx.pool.query<{ event_type: string; data: Record<string, unknown> }>(
      'SELECT event_type, data FROM events WHERE stream_id = $1 ORDER BY stream_version',
      [`calendar-import-${sourceId}`],
    );
    return rows.rows;
  };

  let restorePlanningTopic = (): void => undefined;

  beforeAll(async () => {
    itsm = createServer((request, response) => {
      requests++;
      if (request.url !== '/allowed/maintenance.ics') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8' }).end(served);
    });
    await new Promise<void>((resolve) => itsm.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(itsm.address() as AddressInfo).port}`;
    process.env['SCHEDULING_ICAL_IMPORT_ALLOWED_URLS'] = `${base}/allowed/`;
    process.env['SCHEDULING_ICAL_IMPORT_INTERVAL_MS'] = String(INTERVAL_MS);
    ctx = await createTestContext('scheduling_ical');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService({ ...schedulingService, clock }, ctx);
    writer = await service.token('release-manager');
    reader = await service.token('viewer');
  });

  afterAll(async () => {
    restorePlanningTopic();
    delete process.env['SCHEDULING_ICAL_IMPORT_ALLOWED_URLS'];
    delete process.env['SCHEDULING_ICAL_IMPORT_INTERVAL_MS'];
    await service?.stop();
    await ctx?.dispose();
    await new Promise((resolve) => itsm?.close(resolve));
  });

  const source = (sourceId: string, url: string) => ({
    sourceId,
    name: 'ITSM maintenance',
    url,
    defaultZone: 'Europe/Berlin',
    components: { from: 'categories', prefix: 'component:' },
  });

  it('refuses a URL that is not on the allowlist with a 400 naming url, and writes nothing', async () => {
    const before = requests;
    for (const url of [
      `${base}/elsewhere/maintenance.ics`,
      'http://169.254.169.254/latest/meta-data',
      `${base.replace('http:', 'ftp:')}/allowed/x.ics`,
    ]) {
      const response = await http('calendar-imports', {
        method: 'POST',
        body: JSON.stringify(source('refused', url)),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ status: 400, field: 'url' });
    }
    expect(requests).toBe(before);
    expect(await importEvents('refused')).toEqual([]);
  });

  it('imports an allowlisted URL, and a re-read on the schedule records only what changed', async () => {
    const registered = await http('calendar-imports', {
      method: 'POST',
      body: JSON.stringify(source('itsm', `${base}/allowed/maintenance.ics`)),
    });
    expect(registered.status).toBe(201);
    expect(await registered.json()).toMatchObject({ windows: 2, added: 2, changed: 0, removed: 0 });

    // Unchanged on re-read: nothing recorded.
    const again = await http('calendar-imports/itsm/refresh', { method: 'POST' });
    expect(await again.json()).toMatchObject({ added: 0, changed: 0, removed: 0 });
    expect((await importEvents('itsm')).map((e) => e.event_type)).toEqual([
      'CalendarImportSourceRegistered',
      'MaintenanceCalendarImported',
    ]);

    // The ITSM tool moves CHG-2 and adds CHG-3; the scheduler re-reads once the interval passed.
    served = calendar(
      vevent('CHG-1@itsm', '20310510T020000', ['RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=10']),
      vevent('CHG-2@itsm', '20310512T220000', ['SEQUENCE:1']),
      vevent('CHG-3@itsm', '20310601T010000'),
    );
    clock.advance(INTERVAL_MS);
    const events = await waitFor(
      async () => {
        const rows = await importEvents('itsm');
        return rows.length === 3 ? rows : undefined;
      },
      { timeoutMs: 15_000 },
    );
    const data = events[2]?.data as {
      added: { uid: string }[];
      changed: { uid: string; sequence: number; previousSequence: number }[];
      removed: unknown[];
      readAt: string;
    };
    expect(data.added.map((w) => w.uid)).toEqual(['CHG-3@itsm']);
    expect(data.changed.map((w) => [w.uid, w.previousSequence, w.sequence])).toEqual([
      ['CHG-2@itsm', 0, 1],
    ]);
    expect(data.removed).toEqual([]);
    expect(data.readAt).toBe('2031-05-04T09:00:04.000Z');

    // The calendar entries got one command each for what changed, nothing for CHG-1.
    const byUid = await waitFor(async () => {
      const entries = await ctx.pool.query<{ stream_id: string; event_type: string }>(
        `SELECT stream_id, event_type FROM events WHERE stream_id LIKE 'calendar-entry-ics.itsm.%'
          ORDER BY stream_id, stream_version`,
      );
      return entries.rows.length >= 4
        ? entries.rows.map((r) => [
            /calendar-entry-ics\.itsm\.([A-Z]+-\d)/.exec(r.stream_id)?.[1],
            r.event_type,
          ])
        : undefined;
    });
    expect(byUid).toEqual([
      ['CHG-1', 'CalendarEntryDefined'],
      ['CHG-2', 'CalendarEntryDefined'],
      ['CHG-2', 'CalendarEntryRevised'],
      ['CHG-3', 'CalendarEntryDefined'],
    ]);

    const list = await http('calendar-imports', {}, reader);
    expect(await list.json()).toMatchObject({
      items: [{ source: { sourceId: 'itsm' }, windows: 3 }],
      page: 1,
      pageSize: 50,
      total: 1,
    });
  });

  it('imports posted .ics content for a source without a URL, refusing an event without DTSTART by its UID', async () => {
    const registered = await http('calendar-imports', {
      method: 'POST',
      body: JSON.stringify({ ...source('posted', ''), url: undefined }),
    });
    expect(registered.status).toBe(201);
    const put = (body: string) =>
      http('calendar-imports/posted/content', {
        method: 'PUT',
        body,
        headers: { 'content-type': 'text/calendar' },
      });
    const refused = await put(
      calendar(['BEGIN:VEVENT', 'UID:broken@itsm', 'END:VEVENT'].join('\r\n')),
    );
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      field: 'content',
      detail: 'The event broken@itsm has no DTSTART.',
    });
    expect((await importEvents('posted')).length).toBe(1);
    const imported = await put(calendar(vevent('P-1@itsm', '20310701T200000')));
    expect(await imported.json()).toMatchObject({ windows: 1, added: 1 });
  });

  it('serves calendar.ics as text/calendar to a reader, and refuses it without a token', async () => {
    // The imported windows become calendar entries through the import's reaction, which may still
    // be projecting: read the feed until all four are in it.
    const { response, text, bySource } = await waitFor(
      async () => {
        const response = await http('calendar.ics?component=ledger', {}, reader);
        const text = await response.text();
        const events = Object.values(nodeIcal.sync.parseICS(text)).filter(
          (c): c is nodeIcal.VEvent => c?.type === 'VEVENT',
        );
        const bySource = new Map(
          events.map((e) => [/^ics\.[a-z]+\.([A-Z]+-\d)/.exec(e.uid)?.[1] ?? e.uid, e]),
        );
        const revised = bySource.get('CHG-2')?.sequence === 1;
        return bySource.size >= 4 && revised && { response, text, bySource };
      },
      { description: 'the feed holds the four imported windows', timeoutMs: 30_000 },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    // The revised one has SEQUENCE 1.
    expect([...bySource.keys()].sort()).toEqual(['CHG-1', 'CHG-2', 'CHG-3', 'P-1']);
    expect(bySource.get('CHG-2')?.sequence).toBe(1);
    expect(bySource.get('CHG-1')?.rrule?.toString()).toContain('FREQ=WEEKLY');
    expect(bySource.get('CHG-1')?.start.toISOString()).toBe('2031-05-10T00:00:00.000Z');
    expect(text).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin');
    const other = await http('calendar.ics?component=billing', {}, reader);
    expect(await other.text()).not.toContain('BEGIN:VEVENT');
    expect((await http('calendar.ics', {}, '')).status).toBe(401);
    const repeated = await http('calendar.ics?team=a&team=b', {}, reader);
    expect(await repeated.json()).toMatchObject({ status: 400, field: 'team' });
  });

  it('answers hostile input with a 4xx problem, never a 5xx, and writes nothing when it refuses', async () => {
    const count = async () =>
      Number((await ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n);
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('', ' ', '\u0000', '\uD800', 'Mars/Base', '../../etc', 'x'.repeat(3000)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            sourceId: text,
            name: text,
            url: fc.oneof(text, fc.constant(`${base}/elsewhere/x.ics`)),
            defaultZone: text,
            components: fc.oneof(
              fc.record({ from: text }),
              fc.record({ from: fc.constant('fixed'), components: fc.array(text) }),
              text,
            ),
          },
          { requiredKeys: [] },
        ),
        text,
        async (body, content) => {
          const before = await count();
          const registered = await http('calendar-imports', {
            method: 'POST',
            body: JSON.stringify(body),
          });
          expect(registered.status).toBeGreaterThanOrEqual(400);
          expect(registered.status).toBeLessThan(500);
          const put = await http('calendar-imports/posted/content', {
            method: 'PUT',
            body: content,
            headers: { 'content-type': 'text/calendar' },
          });
          expect(put.status).toBeGreaterThanOrEqual(400);
          expect(put.status).toBeLessThan(500);
          const feed = await http(
            `calendar.ics?team=${urlEncoded(content.slice(0, 20)) || 'x'}`,
            {},
            reader,
          );
          expect(feed.status).toBeLessThan(500);
          expect(await count()).toBe(before);
        },
      ),
      { numRuns: 25 },
    );
  });
});
