import type { Pool, PoolClient } from 'pg';
import type { JobManifest } from '@trainyard/scheduling-domain';
import type { RunningJob } from '../runtime-ports';

/**
 * The manifests of job versions, by `<job>@<version>`: cached here, stored in
 * job_runtime_manifests for the runs another instance inserted. A key stored in a transaction
 * counts as stored only once that transaction commits (see RuntimeContext.transaction).
 */
export class ManifestCache {
  private readonly manifests = new Map<string, JobManifest>();
  private readonly storedManifests = new Set<string>();
  private pendingManifestKeys: string[] = [];

  constructor(
    private readonly pool: Pool,
    private readonly table: string,
  ) {}

  /** A running job's manifest from the catalog: no read needed for its runs. */
  remember(job: RunningJob): void {
    this.manifests.set(`${job.name}@${job.version}`, job.manifest);
  }

  async store(client: PoolClient, jobs: readonly RunningJob[]): Promise<void> {
    const missing = new Map<string, RunningJob>();
    for (const job of jobs) {
      const key = `${job.name}@${job.version}`;
      this.manifests.set(key, job.manifest);
      if (!this.storedManifests.has(key)) missing.set(key, job);
    }
    if (missing.size === 0) return;
    const list = [...missing.values()];
    await client.query(
      `INSERT INTO ${this.table} (job, version, manifest)
       SELECT * FROM unnest($1::text[], $2::int[], $3::jsonb[]) ON CONFLICT DO NOTHING`,
      [
        list.map((j) => j.name),
        list.map((j) => j.version),
        list.map((j) => JSON.stringify(j.manifest)),
      ],
    );
    // Only after commit would be exact; a rolled-back insert is repeated by the next run anyway
    // because the key is dropped on rollback (see transaction()).
    for (const key of missing.keys()) this.pendingManifestKeys.push(key);
  }

  /**
   * The manifests of these rows' job versions not cached yet, in one query: a claim of runs
   * another instance inserted must not read them one round trip per run.
   */
  async load(
    rows: Iterable<{ readonly job: string; readonly job_version: number }>,
  ): Promise<void> {
    const missing = new Map<string, { job: string; version: number }>();
    for (const r of rows) {
      const key = `${r.job}@${r.job_version}`;
      if (!this.manifests.has(key)) missing.set(key, { job: r.job, version: r.job_version });
    }
    if (missing.size === 0) return;
    const list = [...missing.values()];
    const { rows: found } = await this.pool.query<{
      job: string;
      version: number;
      manifest: JobManifest;
    }>(
      `SELECT m.job, m.version, m.manifest FROM ${this.table} m
         JOIN unnest($1::text[], $2::int[]) AS u(job, version)
           ON m.job = u.job AND m.version = u.version`,
      [list.map((m) => m.job), list.map((m) => m.version)],
    );
    for (const f of found) {
      const key = `${f.job}@${f.version}`;
      this.manifests.set(key, f.manifest);
      this.storedManifests.add(key);
    }
  }

  async of(job: string, version: number): Promise<JobManifest> {
    const key = `${job}@${version}`;
    const cached = this.manifests.get(key);
    if (cached) return cached;
    const { rows } = await this.pool.query<{ manifest: JobManifest }>(
      `SELECT manifest FROM ${this.table} WHERE job = $1 AND version = $2`,
      [job, version],
    );
    const manifest = rows[0]?.manifest;
    if (!manifest) throw new Error(`no manifest stored for ${key}`);
    this.manifests.set(key, manifest);
    this.storedManifests.add(key);
    return manifest;
  }

  /** Where a transaction starts: its stored keys are the ones pushed after this mark. */
  mark(): number {
    return this.pendingManifestKeys.length;
  }

  committed(): void {
    for (const key of this.pendingManifestKeys) this.storedManifests.add(key);
    this.pendingManifestKeys = [];
  }

  rolledBack(mark: number): void {
    this.pendingManifestKeys.length = mark;
  }
}
