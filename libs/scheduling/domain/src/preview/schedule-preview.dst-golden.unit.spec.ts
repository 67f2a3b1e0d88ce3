import { previewSchedule } from './schedule-preview';
import { epochMsOf, wallTimeOf } from '../test-support/intl-wall-clock';

// Golden DST cases. Every expected instant is written literally: the wall time minus the offset in
// force (from the zone's published rules, named in each case), computed by hand, never by the
// resolver. Each case also re-reads its instants through Intl (ICU), a second independent source.
const preview = (
  cron: string,
  zone: string,
  from: string,
  to: string,
  policy: { gap?: string; overlap?: string } = {},
) => previewSchedule({ cron, zone, from, to, ...policy });

const readsInZone = (instants: readonly string[], zone: string) =>
  instants.map((i) => {
    const w = wallTimeOf(epochMsOf(i), zone);
    return `${w.month}-${w.day} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
  });

describe('America/New_York (2024: EST -05:00; EDT -04:00 from 10 Mar 02:00 to 3 Nov 02:00)', () => {
  const zone = 'America/New_York';

  it('shifts 02:30 on the spring-forward day to 03:30 EDT (02:30 read with EST, -05:00)', () => {
    const result = preview('30 2 * * *', zone, '2024-03-09', '2024-03-11');
    // 9 Mar 02:30 EST = 07:30Z; 10 Mar 02:30 "EST" = 07:30Z = 03:30 EDT; 11 Mar 02:30 EDT = 06:30Z.
    expect(result).toEqual({
      instants: ['2024-03-09T07:30:00Z', '2024-03-10T07:30:00Z', '2024-03-11T06:30:00Z'],
      gap: 'shift',
      overlap: 'first',
    });
    expect(readsInZone(result.instants, zone)).toEqual(['3-9 02:30', '3-10 03:30', '3-11 02:30']);
  });

  it('skips 02:30 on the spring-forward day when asked', () => {
    expect(
      preview('30 2 * * *', zone, '2024-03-09', '2024-03-11', { gap: 'skip' }).instants,
    ).toEqual(['2024-03-09T07:30:00Z', '2024-03-11T06:30:00Z']);
  });

  it('runs a fixed 01:30 once on the fall-back day, at the first (EDT) instant by default', () => {
    const on3Nov = (overlap?: string) =>
      preview('30 1 3 11 *', zone, '2024-11-01', '2024-11-05', overlap ? { overlap } : {});
    // 01:30 EDT (-04:00) = 05:30Z; 01:30 EST (-05:00) = 06:30Z.
    expect(on3Nov()).toEqual({
      instants: ['2024-11-03T05:30:00Z'],
      gap: 'shift',
      overlap: 'first',
    });
    expect(on3Nov('last').instants).toEqual(['2024-11-03T06:30:00Z']);
    expect(on3Nov('both').instants).toEqual(['2024-11-03T05:30:00Z', '2024-11-03T06:30:00Z']);
  });

  it('runs an hourly schedule 25 times on the fall-back day and 23 times on the spring-forward day', () => {
    const hourly = (day: string) => preview('0 * * * *', zone, day, day);
    const fall = hourly('2024-11-03');
    expect(fall.overlap).toBe('both');
    // 00:00 EDT = 04:00Z, then every hour of elapsed time to 23:00 EST = 04:00Z next day.
    expect(fall.instants).toEqual(
      Array.from({ length: 25 }, (_, i) =>
        new Date(epochMsOf('2024-11-03T04:00:00Z') + i * 3_600_000)
          .toISOString()
          .replace('.000', ''),
      ),
    );
    // 00:00 EST = 05:00Z … 23:00 EDT = 03:00Z; 02:00 shifts onto 03:00 EDT and counts once.
    const spring = hourly('2024-03-10');
    expect(spring.instants).toHaveLength(23);
    expect(spring.instants[0]).toBe('2024-03-10T05:00:00Z');
    expect(spring.instants[2]).toBe('2024-03-10T07:00:00Z');
    expect(spring.instants[22]).toBe('2024-03-11T03:00:00Z');
  });
});

describe('Europe/Berlin (2024: CET +01:00; CEST +02:00 from 31 Mar 02:00 to 27 Oct 03:00)', () => {
  const zone = 'Europe/Berlin';

  it('shifts 02:30 on 31 March to 03:30 CEST, read with CET', () => {
    expect(preview('30 2 * * *', zone, '2024-03-30', '2024-04-01').instants).toEqual([
      '2024-03-30T01:30:00Z', // 02:30 CET
      '2024-03-31T01:30:00Z', // 02:30 "CET" = 03:30 CEST
      '2024-04-01T00:30:00Z', // 02:30 CEST
    ]);
  });

  it('places 02:30 on 27 October at either instant, or both', () => {
    const at = (overlap: string) =>
      preview('30 2 27 10 *', zone, '2024-10-01', '2024-10-31', { overlap });
    expect(at('first').instants).toEqual(['2024-10-27T00:30:00Z']); // 02:30 CEST
    expect(at('last').instants).toEqual(['2024-10-27T01:30:00Z']); // 02:30 CET
    expect(at('both').instants).toEqual(['2024-10-27T00:30:00Z', '2024-10-27T01:30:00Z']);
  });
});

describe('Australia/Lord_Howe (a 30-minute shift: +10:30 standard, +11:00 daylight)', () => {
  const zone = 'Australia/Lord_Howe';

  it('shifts 02:15 on 6 October 2024 (02:00 → 02:30) by 30 minutes, read with +10:30', () => {
    const result = preview('15 2 6 10 *', zone, '2024-10-01', '2024-10-31');
    // 02:15 at +10:30 = 15:45Z on the 5th = 02:45 at +11:00.
    expect(result.instants).toEqual(['2024-10-05T15:45:00Z']);
    expect(readsInZone(result.instants, zone)).toEqual(['10-6 02:45']);
    expect(
      preview('15 2 6 10 *', zone, '2024-10-01', '2024-10-31', { gap: 'skip' }).instants,
    ).toEqual([]);
  });

  it('sees 01:45 twice on 7 April 2024 (02:00 +11:00 → 01:30 +10:30)', () => {
    // 01:45 at +11:00 = 14:45Z; 01:45 at +10:30 = 15:15Z (both on the 6th in UTC).
    expect(
      preview('45 1 7 4 *', zone, '2024-04-01', '2024-04-30', { overlap: 'both' }).instants,
    ).toEqual(['2024-04-06T14:45:00Z', '2024-04-06T15:15:00Z']);
  });
});

describe('Africa/Cairo (changes at midnight: 2024 EEST +03:00 from Fri 26 Apr 00:00 to Thu 31 Oct 24:00)', () => {
  const zone = 'Africa/Cairo';

  it('shifts midnight on 26 April 2024, which did not exist, to 01:00 EEST', () => {
    expect(preview('0 0 * * *', zone, '2024-04-25', '2024-04-27').instants).toEqual([
      '2024-04-24T22:00:00Z', // 25 Apr 00:00 EET (+02:00)
      '2024-04-25T22:00:00Z', // 26 Apr 00:00 "EET" = 01:00 EEST
      '2024-04-26T21:00:00Z', // 27 Apr 00:00 EEST (+03:00)
    ]);
    expect(
      preview('30 0 26 4 *', zone, '2024-04-01', '2024-04-30', { gap: 'skip' }).instants,
    ).toEqual([]);
  });

  it('sees 23:30 on 31 October 2024 twice (24:00 EEST → 23:00 EET)', () => {
    // 23:30 EEST (+03:00) = 20:30Z; 23:30 EET (+02:00) = 21:30Z.
    const at = (overlap: string) =>
      preview('30 23 31 10 *', zone, '2024-10-31', '2024-10-31', { overlap });
    expect(at('first').instants).toEqual(['2024-10-31T20:30:00Z']);
    expect(at('last').instants).toEqual(['2024-10-31T21:30:00Z']);
  });
});

describe('Pacific/Apia (30 December 2011 did not exist: 29 Dec 24:00 -10:00 → 31 Dec 00:00 +14:00)', () => {
  const zone = 'Pacific/Apia';

  it('shifts noon on the missing day onto noon of the 31st, and counts that instant once', () => {
    // 29 Dec 12:00 -10:00 = 22:00Z on the 29th; 30 Dec 12:00 "-10:00" = 22:00Z on the 30th, which
    // is 31 Dec 12:00 +14:00: the same instant as the 31st's own noon.
    const expected = ['2011-12-29T22:00:00Z', '2011-12-30T22:00:00Z'];
    expect(preview('0 12 * * *', zone, '2011-12-29', '2011-12-31').instants).toEqual(expected);
    expect(
      preview('0 12 * * *', zone, '2011-12-29', '2011-12-31', { gap: 'skip' }).instants,
    ).toEqual(expected);
    expect(
      preview('0 12 30 12 *', zone, '2011-12-01', '2011-12-31', { gap: 'skip' }).instants,
    ).toEqual([]);
    expect(readsInZone(expected, zone)).toEqual(['12-29 12:00', '12-31 12:00']);
  });
});
