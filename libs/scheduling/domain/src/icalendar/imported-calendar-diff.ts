import type { ImportedMaintenanceWindow } from './maintenance-calendar-import';

/** What a re-read of an imported calendar changed, by UID: only these become events. */
export interface ImportedCalendarDiff {
  /** New UIDs (not cancelled). */
  readonly added: readonly ImportedMaintenanceWindow[];
  /** Known UIDs whose definition differs; each with the SEQUENCE it had before. */
  readonly changed: readonly (ImportedMaintenanceWindow & { readonly previousSequence: number })[];
  /** Known UIDs gone from the calendar or now STATUS:CANCELLED. */
  readonly removed: readonly ImportedMaintenanceWindow[];
}

// Key order fixed, arrays as given: two definitions read from the same text compare equal.
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

/**
 * The difference between the windows of the last read and this one. An event whose SEQUENCE went
 * up but whose definition did not change (a description edited) is no change to a maintenance
 * window; one whose definition changed is, whatever its SEQUENCE (ITSM exports do not always bump
 * it). A cancelled event is a removal of a known UID and nothing for an unknown one. Pure.
 */
export const diffImportedCalendar = (
  previous: readonly ImportedMaintenanceWindow[],
  next: readonly ImportedMaintenanceWindow[],
): ImportedCalendarDiff => {
  const before = new Map(previous.filter((w) => !w.cancelled).map((w) => [w.uid, w]));
  const after = new Map(next.filter((w) => !w.cancelled).map((w) => [w.uid, w]));
  const added: ImportedMaintenanceWindow[] = [];
  const changed: (ImportedMaintenanceWindow & { previousSequence: number })[] = [];
  const removed: ImportedMaintenanceWindow[] = [];
  for (const [uid, window] of after) {
    const old = before.get(uid);
    if (!old) added.push(window);
    else if (canonical(old.definition) !== canonical(window.definition))
      changed.push({ ...window, previousSequence: old.sequence });
  }
  for (const [uid, window] of before) if (!after.has(uid)) removed.push(window);
  return { added, changed, removed };
};

export const isEmptyDiff = (diff: ImportedCalendarDiff): boolean =>
  diff.added.length === 0 && diff.changed.length === 0 && diff.removed.length === 0;
