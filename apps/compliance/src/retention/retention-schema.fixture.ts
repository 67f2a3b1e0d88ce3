// Shared set-up of the retention integration specs.
import { migrateEventStore, migrateSchema } from '@trainyard/event-store';
import { migrateMessaging } from '@trainyard/messaging';
import { COMPLIANCE_READ_MODEL_MIGRATIONS } from '@trainyard/compliance-read-models';
import { createTestContext, type TestContext } from '@trainyard/testing';

/** The instant the retention specs sweep at. */
export const NOW = '2031-06-01T00:00:00.000Z';
export const daysAgo = (days: number) =>
  new Date(Date.parse(NOW) - days * 86_400_000).toISOString();

/**
 * A test context whose schema holds the event store and the compliance read model (and, for a
 * projection runner, the messaging tables).
 */
export async function retentionTestContext(
  label: string,
  { messaging = false } = {},
): Promise<TestContext> {
  const ctx = await createTestContext(label);
  try {
    await migrateEventStore(ctx.pool, ctx.schema);
    if (messaging) await migrateMessaging(ctx.pool, ctx.schema);
    await migrateSchema(ctx.pool, ctx.schema, [COMPLIANCE_READ_MODEL_MIGRATIONS]);
    return ctx;
  } catch (error) {
    await ctx.dispose();
    throw error;
  }
}
