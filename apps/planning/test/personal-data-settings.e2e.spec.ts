// The service's personal-data key and key schema come from the settings it was started with (its
// validated config), not from the process environment: a service started with its own
// TRAINYARD_PII_* values seals with that key into that schema.
import { randomBytes } from 'node:crypto';
import { PersonalData } from '@trainyard/privacy';
import {
  createTestContext,
  startTestService,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { planningService } from '../src/planning.service';

describe('planning: personal-data settings', () => {
  let ctx: TestContext;
  let service: TestService;
  beforeAll(async () => {
    ctx = await createTestContext('pii_settings');
    service = await startTestService(planningService, ctx, {
      TRAINYARD_PII_KEK: randomBytes(32).toString('base64'),
      TRAINYARD_PII_KEK_ID: 'kek-from-settings',
      TRAINYARD_PII_SCHEMA: ctx.schema,
    });
  });
  afterAll(async () => {
    await service.stop();
    await ctx.dispose();
  });

  it('seals with the configured key into the configured schema', async () => {
    expect(process.env.TRAINYARD_PII_SCHEMA).toBeUndefined();
    const personal = service.running.app.get(PersonalData);
    const sealed = await personal.seal('emp-settings-1', 'Ada Lovelace');
    const { rows } = await ctx.pool.query<{ kid: string }>(
      `SELECT kid FROM subject_keys WHERE subject_id = 'emp-settings-1'`,
    );
    expect(rows).toEqual([{ kid: 'kek-from-settings' }]);
    expect(await personal.reveal(sealed)).toBe('Ada Lovelace');
  });
});
