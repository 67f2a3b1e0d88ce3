import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { CommandContext, EventStore } from '@trainyard/event-store';
import {
  decideSample,
  drawSample,
  periodRange,
  sampleStream,
  validateSampleRequest,
  type ComplianceFindingRaised,
  type ComplianceSampleDrawn,
  type SampledReleaseEvidence,
} from '@trainyard/compliance-domain';
import { ValidationError } from '@trainyard/kernel';
import { EVENT_STORE, PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { ReleaseEvidenceQueries } from './release-evidence.queries';

export interface SampleView extends Omit<ComplianceSampleDrawn['data'], 'sampled'> {
  readonly sampled: readonly string[];
  readonly drawnBy: string;
  readonly findingCount: number;
}

export interface FindingView {
  readonly findingId: string;
  readonly sampleId: string;
  readonly releaseId: string;
  readonly rule: string;
  readonly rulesVersion: string;
  readonly workloadId: string;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly raisedAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

const SAMPLE_ID = /^[0-9a-f-]{36}$/;
const RELEASE_ID = /^[\x21-\x7e]{1,128}$/;

const paging = (page?: number, pageSize?: number): { page: number; pageSize: number } => {
  const p = page ?? 1;
  const size = pageSize ?? 50;
  if (!Number.isInteger(p) || p < 1) throw new ValidationError('page', 'page must be 1 or more.');
  if (!Number.isInteger(size) || size < 1 || size > 200)
    throw new ValidationError('pageSize', 'pageSize must be 1..200.');
  return { page: p, pageSize: size };
};

/**
 * DrawSample: the period's population from the ledger, the seeded draw, the evidence of each drawn
 * release, and the events (the sample and its findings) appended to a new `sample-<id>` stream in
 * one transaction. ListSamples and ListFindings read those streams from the event store.
 */
@Injectable()
export class SamplingUseCases {
  private readonly events: string;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly evidence: ReleaseEvidenceQueries,
  ) {
    this.events = `"${config.DATABASE_SCHEMA}".events`;
  }

  async draw(
    request: { period: unknown; percent: unknown; seed?: unknown },
    ctx: CommandContext,
  ): Promise<{ sample: SampleView; findings: FindingView[] }> {
    const seed =
      request.seed === undefined || request.seed === ''
        ? randomBytes(8).toString('hex')
        : request.seed;
    validateSampleRequest({ ...request, seed });
    const period = request.period as string;
    const { from, to } = periodRange(period);
    const population = await this.evidence.releasesCommitted(from, to);
    const known = new Map<string, SampledReleaseEvidence>();
    // The draw is pure; the evidence is gathered for exactly the drawn releases.
    const sampleId = randomUUID();
    const drawn = drawSample({
      period,
      percent: request.percent as number,
      seed: seed as string,
      population,
    });
    for (const releaseId of drawn) known.set(releaseId, await this.evidence.evidenceOf(releaseId));
    const decided = decideSample(
      {
        sampleId,
        period,
        percent: request.percent as number,
        seed: seed as string,
        population,
        evidence: (releaseId) => known.get(releaseId)!,
      },
      { now: ctx.now, actor: ctx.actor, ...(ctx.reason ? { reason: ctx.reason } : {}) },
    );
    await this.store.append(
      sampleStream(sampleId),
      decided.map((e) => ({
        type: e.type,
        data: e.data,
        metadata: {
          eventId: randomUUID(),
          correlationId: ctx.correlationId,
          actor: ctx.actor,
          ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
          ...(ctx.reason ? { reason: ctx.reason } : {}),
          ...(ctx.trace ? { trace: ctx.trace } : {}),
        },
      })),
      'no_stream',
    );
    const [sample, ...raised] = decided as [ComplianceSampleDrawn, ...ComplianceFindingRaised[]];
    return {
      sample: { ...sample.data, drawnBy: ctx.actor, findingCount: raised.length },
      findings: raised.map((f, i) => ({ findingId: `${sampleId}/${i + 2}`, ...f.data })),
    };
  }

  async samples(filter: {
    period?: string;
    page?: number;
    pageSize?: number;
  }): Promise<Page<SampleView>> {
    const { page, pageSize } = paging(filter.page, filter.pageSize);
    if (filter.period !== undefined) periodRange(filter.period);
    const where = `stream_id LIKE 'sample-%' AND event_type = 'ComplianceSampleDrawn'${filter.period ? ` AND data->>'period' = $3` : ''}`;
    const params: unknown[] = [
      pageSize,
      (page - 1) * pageSize,
      ...(filter.period ? [filter.period] : []),
    ];
    const { rows } = await this.pool.query<{
      stream_id: string;
      data: ComplianceSampleDrawn['data'];
      actor: string;
      findings: string;
      total: string;
    }>(
      `SELECT d.stream_id, d.data, d.metadata->>'actor' AS actor,
              (SELECT count(*) FROM ${this.events} f WHERE f.stream_id = d.stream_id AND f.event_type = 'ComplianceFindingRaised') AS findings,
              count(*) OVER () AS total
         FROM ${this.events} d WHERE ${where}
        ORDER BY d.position DESC LIMIT $1 OFFSET $2`,
      params,
    );
    return {
      items: rows.map((r) => ({ ...r.data, drawnBy: r.actor, findingCount: Number(r.findings) })),
      page,
      pageSize,
      total: Number(rows[0]?.total ?? (page > 1 ? await this.count(where, params.slice(2)) : 0)),
    };
  }

  async findings(filter: {
    sampleId?: string;
    releaseId?: string;
    page?: number;
    pageSize?: number;
  }): Promise<Page<FindingView>> {
    const { page, pageSize } = paging(filter.page, filter.pageSize);
    if (filter.sampleId !== undefined && !SAMPLE_ID.test(filter.sampleId))
      throw new ValidationError('sampleId', 'sampleId must be a sample id (a UUID).');
    if (filter.releaseId !== undefined && !RELEASE_ID.test(filter.releaseId))
      throw new ValidationError('releaseId', 'releaseId must be 1-128 printable characters.');
    const conditions = [`event_type = 'ComplianceFindingRaised'`];
    const params: unknown[] = [pageSize, (page - 1) * pageSize];
    if (filter.sampleId) {
      params.push(sampleStream(filter.sampleId));
      conditions.push(`stream_id = $${params.length}`);
    } else conditions.push(`stream_id LIKE 'sample-%'`);
    if (filter.releaseId) {
      params.push(filter.releaseId);
      conditions.push(`data->>'releaseId' = $${params.length}`);
    }
    const where = conditions.join(' AND ');
    const { rows } = await this.pool.query<{
      stream_id: string;
      stream_version: number;
      data: ComplianceFindingRaised['data'];
      total: string;
    }>(
      `SELECT stream_id, stream_version, data, count(*) OVER () AS total FROM ${this.events}
        WHERE ${where} ORDER BY position DESC LIMIT $1 OFFSET $2`,
      params,
    );
    return {
      items: rows.map((r) => ({
        findingId: `${r.stream_id.slice('sample-'.length)}/${r.stream_version}`,
        ...r.data,
      })),
      page,
      pageSize,
      total: Number(rows[0]?.total ?? (page > 1 ? await this.count(where, params.slice(2), 3) : 0)),
    };
  }

  private async count(where: string, params: unknown[], firstParam = 3): Promise<number> {
    // The page was past the end: count without it (parameters renumbered from $1).
    const renumbered = where.replace(
      /\$(\d+)/g,
      (_, n: string) => `$${Number(n) - firstParam + 1}`,
    );
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.events} WHERE ${renumbered}`,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  }
}
