import type { Pool } from 'pg';
import { assembleBundle } from './assemble-bundle';
import type { AssembleOptions } from './assemble-bundle';
import { readServiceLog } from './read-service-log';
import type { ServiceLogSource } from './read-service-log';

/** Reads every given service's log as of its newest signed checkpoint and builds a signed bundle. */
export async function exportEvidence(
  pool: Pool,
  sources: readonly ServiceLogSource[],
  options: AssembleOptions,
): Promise<Map<string, Buffer>> {
  const logs = [];
  for (const source of sources) logs.push(await readServiceLog(pool, source));
  return assembleBundle(logs, options);
}
