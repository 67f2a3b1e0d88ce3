import {
  START_CHECKPOINT,
  formatCheckpoint,
  parseCheckpoint,
  type Checkpoint,
} from '@trainyard/event-store';
import type { Pool, PoolClient } from 'pg';
import { quoteSchema } from './messaging.migrations';
import { namedStatement, type NamedStatement } from './named-statement';

/** One projection's row in `projection_checkpoints`: how far its read-model tables are. */
export class ProjectionCheckpoints {
  private readonly sql: {
    lock: NamedStatement;
    update: NamedStatement;
    insert: string;
    select: string;
  };

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly name: string,
  ) {
    const s = quoteSchema(schema);
    this.sql = {
      // The two statements of every batch, prepared once per connection (see namedStatement).
      lock: namedStatement(
        `SELECT checkpoint FROM ${s}.projection_checkpoints WHERE projection = $1 FOR UPDATE`,
      ),
      select: `SELECT checkpoint FROM ${s}.projection_checkpoints WHERE projection = $1`,
      update: namedStatement(
        `UPDATE ${s}.projection_checkpoints SET checkpoint = $2, updated_at = now() WHERE projection = $1`,
      ),
      insert: `INSERT INTO ${s}.projection_checkpoints (projection, checkpoint) VALUES ($1, $2) ON CONFLICT (projection) DO NOTHING`,
    };
  }

  /** Creates the row at the start if it is missing. */
  async ensure(): Promise<void> {
    await this.pool.query(this.sql.insert, [this.name, formatCheckpoint(START_CHECKPOINT)]);
  }

  async stored(): Promise<Checkpoint> {
    const { rows } = await this.pool.query<{ checkpoint: string }>(this.sql.select, [this.name]);
    return rows[0] ? parseCheckpoint(rows[0].checkpoint) : START_CHECKPOINT;
  }

  /** Locks the row until `tx` ends (SELECT … FOR UPDATE); undefined when it is missing. */
  async lock(tx: PoolClient): Promise<Checkpoint | undefined> {
    const { rows } = await tx.query<{ checkpoint: string }>({
      ...this.sql.lock,
      values: [this.name],
    });
    return rows[0] ? parseCheckpoint(rows[0].checkpoint) : undefined;
  }

  async save(tx: PoolClient, checkpoint: Checkpoint): Promise<void> {
    await tx.query({ ...this.sql.update, values: [this.name, formatCheckpoint(checkpoint)] });
  }
}
