// The EventSealer's worker thread (`worker: true`, event-sealer.thread.ts): one connection, the
// same SealerBatches as a sealer in the caller's thread, one pass at a time in the order asked.
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'pg';
import { SealerBatches } from './event-sealer.batch';
import { handleCheckedOutClientErrors } from './pool-client-errors';
import { assertSchemaName } from './schema-name';
import {
  serializeError,
  type SealerWorkerData,
  type SealerWorkerReply,
  type SealerWorkerRequest,
} from './event-sealer.thread';

const port = parentPort;
if (!port) throw new Error('event-sealer.worker: not started as a worker thread');
const data = workerData as SealerWorkerData;
// Interpolated into SQL: checked here too, not only by the EventSealer that sent it. A bad one
// ends the thread at its start, and every pass asked of it fails with this error.
assertSchemaName(data.schema);
const pool = new Pool({ ...data.connection, max: 1, idleTimeoutMillis: 0 });
// A connection that breaks, idle or during a pass, is dropped by the pool, the pass fails with the
// error, and the next pass opens another; unhandled, the 'error' events would end the thread.
pool.on('error', () => undefined);
handleCheckedOutClientErrors(pool);
const batches = new SealerBatches(pool, data.schema, data.batchSize);

let queue = Promise.resolve();
port.on('message', (request: SealerWorkerRequest) => {
  queue = queue.then(() => handle(request));
});

async function handle(request: SealerWorkerRequest): Promise<void> {
  if (request.kind === 'close') {
    await pool.end();
    port!.close();
    return;
  }
  let reply: SealerWorkerReply;
  try {
    reply = { kind: 'sealed', id: request.id, result: await batches.seal(request.waitForLock) };
  } catch (error) {
    reply = { kind: 'failed', id: request.id, error: serializeError(error) };
  }
  port!.postMessage(reply);
}
