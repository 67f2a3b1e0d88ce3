import type { Pool } from 'pg';
import { assertSchemaName } from '@trainyard/event-store';
import { parseAccessModel, type AccessModel } from './access-model';

/** The service's own copy of the last access model (table access_model, ACCESS_MODEL_MIGRATIONS). */
export class AccessModelStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.table = `"${assertSchemaName(schema)}".access_model`;
  }

  /** The newest model kept, or undefined when none was ever received (or the row is unreadable). */
  async load(): Promise<AccessModel | undefined> {
    const { rows } = await this.pool.query<{ model: unknown }>(
      `SELECT model FROM ${this.table} ORDER BY version DESC LIMIT 1`,
    );
    return rows[0] ? parseAccessModel(rows[0].model) : undefined;
  }

  /** Keeps `model` unless a newer version is kept already (two replicas of a service may race). */
  async save(model: AccessModel): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (model_id, version, model, received_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (model_id) DO UPDATE SET version = EXCLUDED.version, model = EXCLUDED.model, received_at = now()
       WHERE ${this.table}.version < EXCLUDED.version`,
      [model.modelId, model.version, JSON.stringify(model)],
    );
  }
}
