// The transport ceiling of planning.command.w16, in its own process as the service runs in its own:
// a bare grpc-js server serving PlanningService/RegisterWorkload from the same package definition,
// answering each call after the baseline's single-row INSERT. No NestJS, auth, decider, event
// store, projection, relay or sealer: what is left is what any gRPC command path pays here.
// Started by planning.bench.ts with fork(); it reports its port, and stops on 'stop'.
import {
  Server,
  ServerCredentials,
  loadPackageDefinition,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { Pool } from 'pg';
import { trainyardPackageDefinition, type planning } from '@trainyard/grpc-contracts';
import { benchEvent, plainRow } from './bench-events';

export interface CeilingChildArgs {
  readonly databaseUrl: string;
  /** The quoted table the baseline inserts into (same columns, same statement). */
  readonly table: string;
  readonly connections: number;
}

export type CeilingChildMessage =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'error'; readonly message: string };

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as CeilingChildArgs;
  const pool = new Pool({ connectionString: args.databaseUrl, max: args.connections });
  const text = `INSERT INTO ${args.table} (stream_id, stream_version, event_type, schema_version, data, metadata) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING id`;
  const service = (
    loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
      trainyard: { planning: { v1: { PlanningService: { service: ServiceDefinition } } } };
    }
  ).trainyard.planning.v1.PlanningService.service;
  let n = 0;
  const server = new Server();
  server.addService(service, {
    RegisterWorkload: (
      call: { request: planning.RegisterWorkloadRequest },
      callback: (error: Error | null, response?: unknown) => void,
    ) => {
      const { workloadId, title, team } = call.request;
      pool
        .query({
          name: 'plain_insert_ceiling',
          text,
          values: plainRow(`workload-${workloadId}`, 1, benchEvent(n++)),
        })
        .then(
          () =>
            callback(null, {
              workload: { workloadId, title, team, jobSize: call.request.jobSize },
            }),
          (error: Error) => callback(error),
        );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const stop = (): void => {
    server.tryShutdown(() => void pool.end().finally(() => process.exit(0)));
  };
  process.on('message', (message) => {
    if (message === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.send?.({ kind: 'ready', port } satisfies CeilingChildMessage);
}

main().catch((error: unknown) => {
  process.send?.({
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
  } satisfies CeilingChildMessage);
  process.exitCode = 1;
});
