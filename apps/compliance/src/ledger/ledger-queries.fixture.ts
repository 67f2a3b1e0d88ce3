import type { Pool } from 'pg';
import type { ServiceConfig } from '@trainyard/platform';
import { PersonalData, keyEncryptionKey } from '@trainyard/privacy';
import type { TestContext } from '@trainyard/testing';
import { LedgerQueries } from './ledger.queries';

export interface RecordedStatement {
  readonly text: string;
  readonly values: unknown[];
}

/** The ledger's queries over the test schema, each statement they send pushed to `statements`. */
export async function recordingLedgerQueries(
  ctx: TestContext,
  statements: RecordedStatement[],
  keyName: string,
): Promise<LedgerQueries> {
  const recording = {
    query: (text: string, values: unknown[]) => {
      statements.push({ text, values });
      return ctx.pool.query(text, values);
    },
  } as unknown as Pool;
  const personal = await PersonalData.open(
    ctx.pool,
    ctx.schema,
    keyEncryptionKey(Buffer.alloc(32, 7), keyName),
  );
  return new LedgerQueries(
    recording,
    { DATABASE_SCHEMA: ctx.schema } as unknown as ServiceConfig,
    personal,
  );
}
