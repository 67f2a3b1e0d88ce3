// gRPC plumbing of the compliance demo: the compliance and planning clients, unary calls whose
// refusals carry the rule they cite, and polling.
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type status,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import { waitUntil } from './demo-sections';

type Unary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;
export type GrpcClient = Client & Record<string, Unary>;

export const services = (address: string) => {
  const root = (
    loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
      trainyard: {
        compliance: {
          v1: Record<
            string,
            new (
              address: string,
              creds: ReturnType<typeof credentials.createInsecure>,
            ) => GrpcClient
          >;
        };
      };
    }
  ).trainyard.compliance.v1;
  const make = (name: string) => new root[name]!(address, credentials.createInsecure());
  return {
    policies: make('ComplianceService'),
    reviews: make('ReviewService'),
    sampling: make('SamplingService'),
    privacy: make('PrivacyService'),
  };
};

export const planningClient = (address: string): GrpcClient =>
  new (
    loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
      trainyard: {
        planning: {
          v1: {
            PlanningService: new (
              address: string,
              creds: ReturnType<typeof credentials.createInsecure>,
            ) => GrpcClient;
          };
        };
      };
    }
  ).trainyard.planning.v1.PlanningService(address, credentials.createInsecure());

/** A gRPC refusal as the demo prints it: status, the rule it cites, the message. */
export class GrpcRefusal extends Error {
  constructor(
    readonly method: string,
    readonly code: status,
    readonly rule: string | undefined,
    readonly details: string,
  ) {
    super(`${method}: ${details} (code ${code}${rule ? `, rule ${rule}` : ''})`);
  }
}

export function unary<T>(
  client: GrpcClient,
  method: string,
  request: unknown,
  token: string,
): Promise<T> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    const fn = client[method];
    if (!fn) return reject(new Error(`no method ${method}`));
    fn.call(client, request, metadata, { deadline: Date.now() + 30_000 }, (error, response) => {
      if (!error) return resolve(response as T);
      const rule = error.metadata?.get('trainyard-rule')[0];
      reject(
        new GrpcRefusal(
          method,
          error.code,
          rule === undefined ? undefined : String(rule),
          error.details || error.message,
        ),
      );
    });
  });
}

/** Polls `probe` until it answers (not undefined); a DemoTimeout names `what` when time is up. */
export const poll = <T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> => waitUntil(what, timeoutMs, probe);
