import { Module } from '@nestjs/common';
import {
  createTestContext,
  startTestService,
  waitFor,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import type { ServiceDefinition } from '../service-definition';

// Every service prunes its inbox on its own (the platform's InboxMaintenance), by the settings
// MESSAGING_INBOX_RETENTION_DAYS and MESSAGING_INBOX_PRUNE_MS, until it stops.

@Module({})
class NothingModule {}
const bareService: ServiceDefinition = { service: 'deployment', module: NothingModule };

describe('platform: the inbox pruned by age in a running service', () => {
  let ctx: TestContext;
  let service: TestService;

  beforeAll(async () => {
    ctx = await createTestContext('inbox_maintenance');
    service = await startTestService(bareService, ctx, {
      MESSAGING_INBOX_RETENTION_DAYS: '3',
      MESSAGING_INBOX_PRUNE_MS: '100',
    });
  });
  afterAll(async () => {
    await service.stop();
    await ctx.dispose();
  });

  it('deletes the rows handled before the window and keeps the others', async () => {
    await ctx.pool.query(
      `INSERT INTO inbox (consumer_group, event_id, handled_at) VALUES
         ('g', 'old', now() - interval '4 days'), ('reactor:r', 'older', now() - interval '90 days'),
         ('g', 'young', now() - interval '2 days'), ('g', 'new', now())`,
    );
    await waitFor(
      async () =>
        (await ctx.pool.query(`SELECT 1 FROM inbox WHERE event_id IN ('old', 'older')`))
          .rowCount === 0,
      { timeoutMs: 30_000, description: 'the old rows pruned' },
    );
    const { rows } = await ctx.pool.query<{ id: string }>(
      'SELECT event_id AS id FROM inbox ORDER BY 1',
    );
    expect(rows.map((r) => r.id)).toEqual(['new', 'young']);
  });
});
