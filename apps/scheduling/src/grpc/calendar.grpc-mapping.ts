import type { calendar } from '@trainyard/grpc-contracts';
import { ValidationError, validateAll } from '@trainyard/kernel';
import {
  resolveDstPolicy,
  validateCalendarEntryDefinition,
  type CalendarEntryDefinition,
  type CalendarEntryKind,
  type CalendarOccurrence,
  type CalendarScope,
  type DstPolicy,
} from '@trainyard/scheduling-domain';
import type { CalendarEntryRow, ComponentRow } from '@trainyard/scheduling-read-models';

const list = (values: readonly string[] | undefined) =>
  values && values.length > 0 ? [...values] : undefined;

const scopeOf = (scope: calendar.CalendarScope | undefined): CalendarScope => {
  const out: Record<string, string[]> = {};
  const dimensions = ['trains', 'teams', 'environments', 'components'] as const;
  for (const d of dimensions) {
    const values = list(scope?.[d]);
    if (values) out[d] = values;
  }
  return out;
};

/** Stands in for a DST policy already refused, so the rest of the definition is still checked. */
const CHECK_ONLY_POLICY: DstPolicy = { gap: 'shift', overlap: 'first' };

/**
 * A definition from the wire, canonical: empty strings and lists left out, the DST policy's
 * defaults resolved (gap shift; overlap both for an hourly rule, else first). Every invalid field
 * is refused at once: the wire's `gap`/`overlap` and the definition's own (validateAll).
 */
export const toDefinition = (
  message: calendar.CalendarEntryDefinition | undefined,
): CalendarEntryDefinition => {
  if (!message) throw new ValidationError('definition', 'definition is required.');
  let dstPolicy: DstPolicy | undefined;
  const rule = message.recurrence?.rule ?? '';
  validateAll(
    () =>
      (dstPolicy = resolveDstPolicy(
        { gap: message.gap || undefined, overlap: message.overlap || undefined },
        /FREQ=HOURLY/i.test(rule),
      )),
    () => validateCalendarEntryDefinition(definitionOf(message, dstPolicy ?? CHECK_ONLY_POLICY)),
  );
  return definitionOf(message, dstPolicy ?? CHECK_ONLY_POLICY);
};

const definitionOf = (
  message: calendar.CalendarEntryDefinition,
  dstPolicy: DstPolicy,
): CalendarEntryDefinition => {
  const rule = message.recurrence?.rule ?? '';
  const exceptions = list(message.recurrence?.exceptions);
  const additions = list(message.recurrence?.additions);
  const holidayRefs = list(message.holidayRefs);
  return {
    id: message.id,
    kind: message.kind as CalendarEntryKind,
    name: message.name,
    zone: message.zone,
    start: message.start,
    duration: message.duration,
    ...(rule !== ''
      ? {
          recurrence: {
            rule,
            ...(exceptions ? { exceptions } : {}),
            ...(additions ? { additions } : {}),
          },
        }
      : {}),
    dstPolicy,
    scope: scopeOf(message.scope),
    ...(holidayRefs ? { holidayRefs } : {}),
    ...(message.teamWorkingHoursOnly ? { teamWorkingHoursOnly: true } : {}),
  };
};

export const toProtoDefinition = (
  d: CalendarEntryDefinition,
): calendar.CalendarEntryDefinition => ({
  id: d.id,
  kind: d.kind,
  name: d.name,
  zone: d.zone,
  start: d.start,
  duration: d.duration,
  recurrence: d.recurrence && {
    rule: d.recurrence.rule,
    exceptions: [...(d.recurrence.exceptions ?? [])],
    additions: [...(d.recurrence.additions ?? [])],
  },
  gap: d.dstPolicy.gap,
  overlap: d.dstPolicy.overlap,
  scope: {
    trains: [...(d.scope.trains ?? [])],
    teams: [...(d.scope.teams ?? [])],
    environments: [...(d.scope.environments ?? [])],
    components: [...(d.scope.components ?? [])],
  },
  holidayRefs: [...(d.holidayRefs ?? [])],
  teamWorkingHoursOnly: d.teamWorkingHoursOnly ?? false,
});

export const toProtoEntry = (row: CalendarEntryRow): calendar.CalendarEntry => ({
  definition: toProtoDefinition(row.definition),
  sequence: row.sequence,
  retired: row.retired,
  retiredReason: row.retiredReason ?? '',
  version: row.version,
  updatedBy: row.updatedBy,
  updatedAt: row.updatedAt,
});

export const toProtoComponent = (row: ComponentRow): calendar.Component => ({
  componentId: row.componentId,
  parentId: row.parentId ?? '',
});

export const toProtoOccurrence = (o: CalendarOccurrence): calendar.Occurrence => ({
  start: o.start,
  end: o.end,
  localStart: o.localStart,
  localEnd: o.localEnd,
  zone: o.zone,
  source: o.source ?? '',
});
