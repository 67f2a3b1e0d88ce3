import type { StoredEvent } from '@trainyard/event-store';
import { foldInto, keyId, viewKeys, type ProjectionDefinition } from '@trainyard/kernel';
import type { PoolClient } from 'pg';
import { quoteSchema } from './messaging.migrations';
import { ViewTable, describeTable } from './projection-tables';

/**
 * Folds stored events into a projection's tables (the live ones, or copies named with a suffix):
 * loads the rows the events touch (one statement per table), folds with the projection's pure
 * folds, saves what changed (one statement per table).
 */
export class ProjectionFold<TEvent> {
  private readonly tables = new Map<string, ViewTable[]>();

  constructor(
    private readonly projection: ProjectionDefinition<TEvent>,
    private readonly schema: string,
  ) {}

  /** Loads the rows `events` touch from the tables with `suffix`, folds, saves what changed. */
  async apply(tx: PoolClient, suffix: string, stored: readonly StoredEvent[]): Promise<void> {
    if (stored.length === 0) return;
    const { projection } = this;
    const tables = await this.viewTables(tx, suffix);
    const events = stored.map((event) => projection.toEvent(event));
    const before: Map<string, unknown>[] = [];
    for (const [i, view] of projection.views.entries()) {
      const keys = new Map<string, readonly string[]>();
      for (const event of events)
        for (const key of viewKeys(view, event))
          keys.set(keyId(key), typeof key === 'string' ? [key] : key);
      before.push(await (tables[i] as ViewTable).load(tx, keys));
    }
    const after = before.map((state) => new Map(state));
    foldInto(projection, after, events);
    for (const [i, table] of tables.entries())
      await table.save(tx, before[i] as Map<string, unknown>, after[i] as Map<string, unknown>);
  }

  /** Drops the cached table shapes of `suffix` (copies that are created anew or swapped in). */
  forget(suffix: string): void {
    this.tables.delete(suffix);
  }

  private async viewTables(tx: PoolClient, suffix: string): Promise<ViewTable[]> {
    const cached = this.tables.get(suffix);
    if (cached) return cached;
    const s = quoteSchema(this.schema);
    const tables: ViewTable[] = [];
    for (const view of this.projection.views) {
      // The copies have the live tables' shape; their own names are only used in statements.
      const shape = await describeTable(tx, `${s}."${view.table}"`);
      tables.push(new ViewTable(view, shape, `${s}."${view.table}${suffix}"`, suffix === ''));
    }
    this.tables.set(suffix, tables);
    return tables;
  }
}
