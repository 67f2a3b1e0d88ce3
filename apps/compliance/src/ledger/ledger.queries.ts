import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import { PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { PersonalData } from '@trainyard/privacy';
import { PIVOT_KINDS, TRAIL_KINDS, type LedgerLink, type TrailKind } from './ledger-links';
import { linksTo } from './ledger-link.sql';

export const LEDGER_MAX_PAGE_SIZE = 200;
export const LEDGER_DEFAULT_PAGE_SIZE = 50;
/** A workload's trail is answered whole up to this many entries (then `truncated`). */
export const TRAIL_LIMIT = 2_000;

export interface LedgerFilter {
  readonly workload?: string;
  readonly release?: string;
  readonly actor?: string;
  readonly control?: string;
  /** RFC 3339, inclusive. */
  readonly from?: string;
  /** RFC 3339, exclusive. */
  readonly to?: string;
  readonly page?: number;
  readonly pageSize?: number;
}

export interface LedgerEntry {
  readonly eventId: string;
  readonly topic: string;
  readonly source: string;
  readonly sourceService: string;
  readonly type: string;
  readonly eventType: string;
  readonly trailKind: TrailKind;
  readonly subject: string | null;
  readonly occurredAt: string;
  readonly actor: string | null;
  readonly ceActor: string | null;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly controls: readonly string[];
  readonly links: readonly LedgerLink[];
  readonly data: unknown;
  readonly recordedAt: string;
}

export interface LedgerPage {
  readonly items: readonly LedgerEntry[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

export interface WorkloadTrail {
  readonly workloadId: string;
  readonly total: number;
  readonly truncated: boolean;
  /** Releases, deployments and overrides the trail reaches the workload's other events through. */
  readonly linked: readonly LedgerLink[];
  readonly groups: readonly { readonly kind: TrailKind; readonly items: readonly LedgerEntry[] }[];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
// Printable text without control characters, as ids and actors are.
const TEXT = /^[^\u0000-\u001f\u007f]{1,512}$/u;

const text = (field: string, value: string | undefined): string | undefined => {
  if (value === undefined || value === '') return undefined;
  if (!TEXT.test(value))
    throw new ValidationError(
      field,
      `${field} must be 1 to 512 characters without control characters.`,
    );
  return value;
};

const instant = (field: string, value: string | undefined): Date | undefined => {
  if (value === undefined || value === '') return undefined;
  const date = new Date(value);
  if (!RFC3339.test(value) || Number.isNaN(date.getTime()))
    throw new ValidationError(
      field,
      `${field} must be an RFC 3339 date-time with an offset, e.g. 2031-05-04T09:00:00Z.`,
    );
  return date;
};

/** The filter checked and normalised, or a ValidationError naming the first bad field. */
export const validateLedgerFilter = (filter: LedgerFilter) => {
  const page = filter.page ?? 1;
  const pageSize = filter.pageSize ?? LEDGER_DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(page) || page < 1 || page > 1_000_000)
    throw new ValidationError('page', 'page must be a whole number from 1 to 1000000.');
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > LEDGER_MAX_PAGE_SIZE)
    throw new ValidationError(
      'pageSize',
      `pageSize must be a whole number from 1 to ${LEDGER_MAX_PAGE_SIZE}.`,
    );
  const from = instant('from', filter.from);
  const to = instant('to', filter.to);
  if (from && to && from.getTime() > to.getTime())
    throw new ValidationError('to', 'to must not be before from.');
  return {
    workload: text('workload', filter.workload),
    release: text('release', filter.release),
    actor: text('actor', filter.actor),
    control: text('control', filter.control),
    from,
    to,
    page,
    pageSize,
  };
};

interface Row {
  event_id: string;
  topic: string;
  source: string;
  source_service: string;
  type: string;
  event_type: string;
  trail_kind: string;
  subject: string | null;
  occurred_at: Date;
  actor: string | null;
  ce_actor: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  controls: string[];
  links: LedgerLink[];
  data: unknown;
  recorded_at: Date;
}

const entryOf = (row: Row): LedgerEntry => ({
  eventId: row.event_id,
  topic: row.topic,
  source: row.source,
  sourceService: row.source_service,
  type: row.type,
  eventType: row.event_type,
  trailKind: row.trail_kind as TrailKind,
  subject: row.subject,
  occurredAt: row.occurred_at.toISOString(),
  actor: row.actor,
  ceActor: row.ce_actor,
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  controls: row.controls,
  links: row.links,
  data: row.data,
  recordedAt: row.recorded_at.toISOString(),
});

const PIVOTS = PIVOT_KINDS.map((k) => `'${k}'`).join(', ');

/** The audit ledger's queries (issue 13): by workload, release, actor, control and time. */
@Injectable()
export class LedgerQueries {
  private readonly s: string;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly personal: PersonalData,
  ) {
    this.s = `"${config.DATABASE_SCHEMA.replace(/"/g, '""')}"`;
  }

  /**
   * SQL: entry `e` is in workload `id`'s trail: it links the workload, or it links a release,
   * deployment or override an entry of the workload links (a pivot) and names no other workload.
   * The pivots are looked up first and passed as one array parameter, a lookup in the links index
   * each: joined in the same statement, the planner cannot estimate how many entries a pivot links
   * and scanned the whole table (migration 0008).
   */
  private async inWorkloadTrail(id: string, param: (value: unknown) => number): Promise<string> {
    const { rows } = await this.pool.query<{ pivot: string }>(
      `SELECT DISTINCT jsonb_build_array(x)::text AS pivot FROM ${this.s}.ledger_entries w
        CROSS JOIN LATERAL jsonb_array_elements(w.links) AS x
        WHERE ${linksTo('w', 'workload', 1)} AND x ->> 'kind' IN (${PIVOTS})
        ORDER BY pivot`,
      [id],
    );
    const n = param(id);
    const own = linksTo('e', 'workload', n);
    if (rows.length === 0) return own;
    const pivots = param(rows.map((r) => r.pivot));
    return `(${own} OR (e.links @> ANY ($${pivots}::jsonb[]) AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(e.links) AS o
             WHERE o ->> 'kind' = 'workload' AND o ->> 'id' <> $${n})))`;
  }

  async query(request: LedgerFilter): Promise<LedgerPage> {
    const f = validateLedgerFilter(request);
    const s = this.s;
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): number => params.push(value);
    if (f.workload !== undefined) where.push(await this.inWorkloadTrail(f.workload, param));
    if (f.release !== undefined) where.push(linksTo('e', 'release', param(f.release)));
    if (f.actor !== undefined) {
      const n = param(f.actor);
      // The same rows as `actor = $n OR ce_actor = $n`, in the shape of the partial ce_actor index.
      where.push(
        `(e.actor = $${n} OR (e.ce_actor = $${n} AND e.ce_actor IS DISTINCT FROM e.actor))`,
      );
    }
    // `<> '{}'` is implied by the containment; it lets the partial GIN index (no empty arrays) serve.
    if (f.control !== undefined)
      where.push(`e.controls @> ARRAY[$${param(f.control)}]::text[] AND e.controls <> '{}'`);
    if (f.from) where.push(`e.occurred_at >= $${param(f.from)}`);
    if (f.to) where.push(`e.occurred_at < $${param(f.to)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const count = await this.pool.query<{ total: string }>(
      `SELECT count(*) AS total FROM ${s}.ledger_entries e ${clause}`,
      params,
    );
    const rows = await this.pool.query<Row>(
      `SELECT e.* FROM ${s}.ledger_entries e ${clause}
        ORDER BY e.occurred_at, e.event_id
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.pageSize, (f.page - 1) * f.pageSize],
    );
    return {
      // Sealed personal data is opened as the ledger answers: `[erased]` once the subject is erased
      // (the stored entry keeps the ciphertext; docs/adr/0013-crypto-shredding.md).
      items: await this.personal.revealDeep(rows.rows.map(entryOf)),
      page: f.page,
      pageSize: f.pageSize,
      total: Number(count.rows[0]?.total ?? 0),
    };
  }

  /** Everything the ledger links to one workload, oldest first, grouped by trail kind. */
  async workloadTrail(workloadId: string): Promise<WorkloadTrail> {
    const id = text('id', workloadId);
    if (id === undefined) throw new ValidationError('id', 'id must not be empty.');
    const s = this.s;
    const params: unknown[] = [];
    const inTrail = await this.inWorkloadTrail(id, (value) => params.push(value));
    const rows = await this.pool.query<Row>(
      `SELECT e.* FROM ${s}.ledger_entries e WHERE ${inTrail}
        ORDER BY e.occurred_at, e.event_id LIMIT $${params.length + 1}`,
      [...params, TRAIL_LIMIT + 1],
    );
    if (rows.rows.length === 0) throw new NotFoundError('workload', id);
    const entries = await this.personal.revealDeep(rows.rows.slice(0, TRAIL_LIMIT).map(entryOf));
    const linked = new Map<string, LedgerLink>();
    for (const entry of entries)
      if (entry.links.some((l) => l.kind === 'workload' && l.id === id))
        for (const link of entry.links)
          if ((PIVOT_KINDS as readonly string[]).includes(link.kind))
            linked.set(`${link.kind}\u0000${link.id}`, link);
    const groups = TRAIL_KINDS.map((kind) => ({
      kind,
      items: entries.filter((entry) => entry.trailKind === kind),
    })).filter((group) => group.items.length > 0);
    return {
      workloadId: id,
      total: entries.length,
      truncated: rows.rows.length > TRAIL_LIMIT,
      linked: [...linked.values()],
      groups,
    };
  }
}
