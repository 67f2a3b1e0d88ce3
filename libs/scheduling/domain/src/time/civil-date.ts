/** Proleptic Gregorian calendar arithmetic on day numbers (0 = 1970-01-01), no Date, no clock. */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

// H. Hinnant's days_from_civil / civil_from_days (public-domain algorithms).
export const daysFromCivil = ({ year, month, day }: CivilDate): number => {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
};

export const civilFromDays = (days: number): CivilDate => {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
};

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
export const dayOfWeek = (days: number): number => (((days + 4) % 7) + 7) % 7;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export const formatCivilDate = ({ year, month, day }: CivilDate): string =>
  `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

/** Epoch milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, UTC). */
export const formatUtcInstant = (epochMs: number): string => {
  const days = Math.floor(epochMs / DAY_MS);
  const ms = epochMs - days * DAY_MS;
  const seconds = Math.floor(ms / 1000);
  return `${formatCivilDate(civilFromDays(days))}T${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}Z`;
};
