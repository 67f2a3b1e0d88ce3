import { Injectable } from '@nestjs/common';
import {
  decideRunGate,
  expandIntervals,
  type CalendarEntryDefinition,
  type GateInterval,
  type GateSubject,
  type RunGateVerdict,
} from '@trainyard/scheduling-domain';
import type { CalendarEntryRow, FreezeOverrideRow } from '@trainyard/scheduling-read-models';
import { CalendarQueries } from '../../application/calendar.queries';
import { OverrideQueries } from '../../application/override.queries';
import type { RunGateDecision, RunGatePort } from '../runtime-ports';

const PAGE = 200;
const OVERRIDE_NAMES = { status: 'status', page: 'page', pageSize: 'pageSize' };
/** Back-to-back maintenance windows within this horizon extend one pause. */
const PAUSE_HORIZON_MS = 7 * 86_400_000;

/**
 * `RunGatePort` over part 1's calendar read model (issue 12, item 5): the non-retired maintenance
 * windows and freezes, expanded around the start by the calendar's own expansion (occurrences
 * that overlap, so a two-week freeze that began last week counts; referenced holidays included),
 * the component tree, and the active freeze overrides; `decideRunGate` decides.
 */
@Injectable()
export class CalendarRunGate implements RunGatePort {
  constructor(
    private readonly calendar: CalendarQueries,
    private readonly overrides: OverrideQueries,
  ) {}

  check(components: readonly string[], at: string): Promise<RunGateDecision> {
    return this.decide({ components }, at).then((verdict) => {
      if (verdict.kind === 'pause')
        return { kind: 'pause', until: verdict.until, reason: verdict.reason };
      if (verdict.kind === 'block') return { kind: 'block', reason: verdict.reason };
      return { kind: 'open' };
    });
  }

  /** The full verdict, for a subject that can also state its team and environment. */
  async decide(subject: GateSubject, at: string): Promise<RunGateVerdict> {
    if (subject.components.length === 0) return { kind: 'open' };
    const atMs = Date.parse(at);
    if (!Number.isFinite(atMs)) throw new Error(`run gate: not an instant: ${at}`);
    const [rows, overrides, tree] = await Promise.all([
      this.entries(),
      this.activeOverrides(),
      this.calendar.componentTree(),
    ]);
    const holidays = new Map<string, CalendarEntryDefinition>(
      rows.filter((r) => r.kind === 'holiday').map((r) => [r.entryId, r.definition]),
    );
    const expand = (row: CalendarEntryRow, to: number): GateInterval[] => {
      const refs = row.definition.holidayRefs;
      const definition: CalendarEntryDefinition = refs
        ? { ...row.definition, holidayRefs: refs.filter((r) => holidays.has(r)) }
        : row.definition;
      return expandIntervals(definition, atMs, to, { mode: 'overlap', holidays }).map((i) => ({
        id: row.entryId,
        scope: row.definition.scope,
        start: i.start,
        end: i.end,
      }));
    };
    return decideRunGate({
      subject,
      at: atMs,
      maintenance: rows
        .filter((r) => r.kind === 'maintenance-window')
        .flatMap((r) => expand(r, atMs + PAUSE_HORIZON_MS)),
      freezes: rows.filter((r) => r.kind === 'freeze').flatMap((r) => expand(r, atMs + 1)),
      overrides,
      tree,
    });
  }

  private async entries(): Promise<CalendarEntryRow[]> {
    const all: CalendarEntryRow[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await this.calendar.listEntries({
        kinds: ['maintenance-window', 'freeze', 'holiday'],
        page,
        pageSize: PAGE,
      });
      all.push(...items);
      if (page * PAGE >= total) return all;
    }
  }

  private async activeOverrides(): Promise<FreezeOverrideRow[]> {
    const all: FreezeOverrideRow[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await this.overrides.listOverrides(
        { status: 'active', page, pageSize: PAGE },
        OVERRIDE_NAMES,
      );
      all.push(...items);
      if (page * PAGE >= total) return all;
    }
  }
}
