// The gRPC plumbing of `npm run demo` (every part of it, compliance included): a client of any
// trainyard service from the shared package definition, and a unary call whose error names the
// method, the status, the rule it cites and the address called (so a section that fails says
// which service it could not reach).
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  status,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { trainyardPackageDefinition } from '@trainyard/grpc-contracts';

type Unary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;
export type DemoClient = Client & Record<string, Unary>;
type ClientConstructor = new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
) => DemoClient;

/** A client of `trainyard.<pkg>.v1.<service>` at `address`. */
export function demoClient(pkg: string, service: string, address: string): DemoClient {
  const root = loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
    trainyard: Record<string, { v1: Record<string, ClientConstructor> }>;
  };
  const Constructor = root.trainyard[pkg]?.v1[service];
  if (!Constructor) throw new Error(`no gRPC service trainyard.${pkg}.v1.${service}`);
  const client = new Constructor(address, credentials.createInsecure());
  addresses.set(client, address);
  return client;
}

const addresses = new WeakMap<DemoClient, string>();

/** A failed call: the method, the gRPC status, the rule it cites (if any) and where it went. */
export class DemoCallError extends Error {
  override readonly name = 'DemoCallError';
  constructor(
    readonly method: string,
    readonly code: status,
    readonly details: string,
    address: string,
    readonly rule?: string,
  ) {
    super(
      `${method} at ${address}: ${details} (${status[code] ?? code}${rule ? `, rule ${rule}` : ''})`,
    );
  }
}

const ruleOf = (error: ServiceError): string | undefined => {
  const [rule] = error.metadata?.get('trainyard-rule') ?? [];
  return rule === undefined ? undefined : String(rule);
};

/** A unary call with a bearer token; a refusal is a DemoCallError. */
export function unary<T>(
  client: DemoClient,
  method: string,
  request: unknown,
  bearer: string,
  options: { deadlineMs?: number; correlationId?: string } = {},
): Promise<T> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${bearer}`);
  if (options.correlationId) metadata.set('x-correlation-id', options.correlationId);
  const deadlineMs = options.deadlineMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const fn = client[method];
    if (!fn) return reject(new Error(`no method ${method}`));
    fn.call(client, request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) =>
      error
        ? reject(
            new DemoCallError(
              method,
              error.code,
              error.code === status.DEADLINE_EXCEEDED
                ? `no answer within ${deadlineMs / 1000} s`
                : // grpc-js appends an empty "Resolution note:" to connection errors
                  (error.details || error.message).replace(/\s*Resolution note:\s*$/, ''),
              addresses.get(client) ?? client.getChannel().getTarget(),
              ruleOf(error),
            ),
          )
        : resolve(response as T),
    );
  });
}
