import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';

type HealthClient = Client & {
  Check(
    request: { service: string },
    options: { deadline: number },
    cb: (e: ServiceError | null, r?: { status: string }) => void,
  ): void;
};

const definition = loadSync(protoPath, { keepCase: true, enums: String, defaults: true });
const Health = (
  loadPackageDefinition(definition) as unknown as {
    grpc: {
      health: {
        v1: {
          Health: new (
            address: string,
            creds: ReturnType<typeof credentials.createInsecure>,
          ) => HealthClient;
        };
      };
    };
  }
).grpc.health.v1.Health;

/** grpc.health.v1 Check against `address`: the status name. */
export function healthStatus(address: string, service = ''): Promise<string> {
  const client = new Health(address, credentials.createInsecure());
  return new Promise<string>((resolve, reject) => {
    client.Check({ service }, { deadline: Date.now() + 2_000 }, (error, response) =>
      error ? reject(error) : resolve(response?.status ?? 'UNKNOWN'),
    );
  }).finally(() => client.close());
}
