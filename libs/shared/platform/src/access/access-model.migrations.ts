import { join } from 'node:path';
import type { MigrationSet } from '@trainyard/event-store';

/**
 * Every service's copy of the last access model it received (access_model), so a restart while
 * compliance or the broker is down still authorises by it. Applied by `migrateService`.
 */
export const ACCESS_MODEL_MIGRATIONS: MigrationSet = {
  owner: 'platform-access',
  dir: join(__dirname, 'migrations'),
};
