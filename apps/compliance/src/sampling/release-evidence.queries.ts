import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { REGULATED_DATA_CLASSES, type SampledReleaseEvidence } from '@trainyard/compliance-domain';
import { PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { linksTo } from '../ledger/ledger-link.sql';

type Workload = SampledReleaseEvidence['workloads'][number];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const iso = (value: unknown): string | undefined => {
  const t =
    typeof value === 'string' || value instanceof Date
      ? Date.parse(String(value instanceof Date ? value.toISOString() : value))
      : NaN;
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

/**
 * What compliance knows of a release, for the change-control check of a sample: its scope from
 * the audit ledger (planning's commit, later inclusions and exclusions, scope exceptions), each
 * workload's policy evaluations, its change review (sign-offs, when it was approved, the
 * deployment it authorised) and the deployments the ledger recorded for it.
 */
@Injectable()
export class ReleaseEvidenceQueries {
  private readonly schema: string;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.schema = `"${config.DATABASE_SCHEMA}"`;
  }

  /** Releases whose scope was committed in [from, to). */
  async releasesCommitted(from: string, to: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ ref_id: string }>(
      `SELECT DISTINCT l ->> 'id' AS ref_id FROM ${this.schema}.ledger_entries e
        CROSS JOIN LATERAL jsonb_array_elements(e.links) AS l
        WHERE e.event_type = 'ReleaseScopeCommitted' AND e.occurred_at >= $1 AND e.occurred_at < $2
          AND l ->> 'kind' = 'release'
        ORDER BY ref_id`,
      [from, to],
    );
    return rows.map((r) => r.ref_id);
  }

  async evidenceOf(releaseId: string): Promise<SampledReleaseEvidence> {
    const s = this.schema;
    const { rows: scope } = await this.pool.query<{
      event_id: string;
      event_type: string;
      data: unknown;
    }>(
      `SELECT e.event_id, e.event_type, e.data FROM ${s}.ledger_entries e
        WHERE ${linksTo('e', 'release', 1)}
          AND e.event_type IN ('ReleaseScopeCommitted', 'ReleaseWorkloadIncluded', 'ReleaseWorkloadExcluded', 'ScopeExceptionGranted')
        ORDER BY e.occurred_at, e.event_id`,
      [releaseId],
    );
    let committedAt: string | undefined;
    const workloads = new Map<string, Mutable<Workload>>();
    const exceptions = new Map<string, string>();
    for (const row of scope) {
      const data = isRecord(row.data) ? row.data : {};
      if (row.event_type === 'ReleaseScopeCommitted') {
        committedAt ??= iso(data.committedAt);
        for (const w of Array.isArray(data.workloads) ? data.workloads : []) {
          const id = isRecord(w) ? text(w.workloadId) : undefined;
          if (id && !workloads.has(id)) workloads.set(id, { workloadId: id, evaluations: [] });
        }
      } else if (row.event_type === 'ReleaseWorkloadIncluded') {
        const id = text(data.workloadId);
        const includedAt = iso(data.includedAt);
        if (id)
          workloads.set(id, {
            workloadId: id,
            evaluations: [],
            ...(includedAt ? { includedAt } : {}),
          });
      } else if (row.event_type === 'ReleaseWorkloadExcluded') {
        const id = text(data.workloadId);
        if (id) workloads.delete(id);
      } else {
        const id = text(data.workloadId);
        if (id) exceptions.set(id, row.event_id);
      }
    }
    for (const [id, w] of workloads) {
      const exception = exceptions.get(id);
      if (exception) w.scopeExceptionId = exception;
      await this.addWorkloadEvidence(w);
    }
    return {
      releaseId,
      ...(committedAt ? { committedAt } : {}),
      workloads: [...workloads.values()],
    };
  }

  private async addWorkloadEvidence(w: Mutable<Workload>): Promise<void> {
    const s = this.schema;
    const { rows: evaluations } = await this.pool.query<{ evaluation_id: string; result: string }>(
      `SELECT evaluation_id, result FROM ${s}.policy_evaluations
        WHERE subject_type = 'workload' AND subject_id = $1 ORDER BY evaluated_at, evaluation_id`,
      [w.workloadId],
    );
    w.evaluations = evaluations.map((e) => ({
      evaluationId: e.evaluation_id,
      result: e.result as 'allowed' | 'blocked' | 'warned',
    }));

    const { rows: registered } = await this.pool.query<{ data: unknown }>(
      `SELECT e.data FROM ${s}.ledger_entries e
        WHERE ${linksTo('e', 'workload', 1)} AND e.event_type = 'WorkloadRegistered' ORDER BY e.occurred_at LIMIT 1`,
      [w.workloadId],
    );
    const classes =
      isRecord(registered[0]?.data) && Array.isArray(registered[0].data.regulatedData)
        ? registered[0].data.regulatedData
        : [];
    const regulatedByPlanning = classes.some((c) =>
      (REGULATED_DATA_CLASSES as readonly unknown[]).includes(c),
    );

    const { rows: reviews } = await this.pool.query<{
      required_sign_offs: number;
      sign_offs: { signer: string; role: string; signedAt: string }[];
      last_deployment: { deployer: string; allowed: boolean; decidedAt: string } | null;
    }>(
      `SELECT required_sign_offs, sign_offs, last_deployment FROM ${s}.compliance_reviews
        WHERE workload_id = $1 AND kind = 'change'`,
      [w.workloadId],
    );
    const review = reviews[0];
    const deployments: { deployer: string; deployedAt: string; evidenceId: string }[] = [];
    if (review || regulatedByPlanning) {
      // A review is opened only for regulated data; planning's classification says so too.
      w.regulated = true;
      const signers = (review?.sign_offs ?? []).map((o) => ({
        signer: o.signer,
        signedAt: o.signedAt,
      }));
      w.signers = signers;
      w.signOffs = signers.map((o) => o.signer);
      const required = review?.required_sign_offs ?? 1;
      const sorted = [...signers].sort((a, b) => a.signedAt.localeCompare(b.signedAt));
      const approving = sorted[required - 1];
      if (review && approving) w.approvedAt = approving.signedAt;
      const last = review?.last_deployment;
      if (last?.allowed)
        deployments.push({
          deployer: last.deployer,
          deployedAt: last.decidedAt,
          evidenceId: `compliance_reviews/${w.workloadId}/change/last_deployment`,
        });
    }
    const { rows: deployed } = await this.pool.query<{
      event_id: string;
      actor: string | null;
      occurred_at: Date;
    }>(
      `SELECT e.event_id, e.actor, e.occurred_at FROM ${s}.ledger_entries e
        WHERE ${linksTo('e', 'workload', 1)} AND e.trail_kind = 'deployment' ORDER BY e.occurred_at, e.event_id LIMIT 200`,
      [w.workloadId],
    );
    for (const d of deployed)
      if (d.actor)
        deployments.push({
          deployer: d.actor,
          deployedAt: d.occurred_at.toISOString(),
          evidenceId: d.event_id,
        });
    if (deployments.length > 0) w.deployments = deployments;
  }
}
