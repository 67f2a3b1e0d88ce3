/**
 * `npm run jobs:apply -- [options] <file-or-dir ...>` applies job manifests to a running
 * scheduling service over gRPC (JobDefinitionService.ApplyManifest); `npm run jobs:diff -- …`
 * only shows what applying them would change (DiffManifest). Every file is validated offline
 * first, as `jobs:validate` does: with any problem nothing is sent.
 *
 * Options: --address host:port (default SCHEDULING_GRPC_ADDRESS or 127.0.0.1:50052);
 * --token <bearer> (default TRAINYARD_TOKEN); --role <role> signs a development token instead
 * (local key, as `npm run token`); --reason <text> recorded with the change.
 * Exit codes: 0 done, 1 a problem or a refusal, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  Metadata,
  credentials,
  loadPackageDefinition,
  status,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  GRPC_STATUS_DETAILS_TRAILER,
  decodeRpcStatus,
  trainyardPackageDefinition,
  type jobDefinitions,
} from '@trainyard/grpc-contracts';
import { signDevToken } from '@trainyard/infra';
import { formatProblem, manifestFiles, validateManifestFiles } from './jobs-validate';

type Unary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;
type JobsClient = Client & Record<string, Unary>;

const JobDefinitionService = (
  loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
    trainyard: {
      scheduling: {
        v1: {
          JobDefinitionService: new (
            address: string,
            creds: ReturnType<typeof credentials.createInsecure>,
          ) => JobsClient;
        };
      };
    };
  }
).trainyard.scheduling.v1.JobDefinitionService;

const call = <T>(client: JobsClient, method: string, request: unknown, token: string) =>
  new Promise<T>((resolve, reject) => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    const fn = client[method];
    if (!fn) return reject(new Error(`no method ${method}`));
    fn.call(client, request, metadata, { deadline: Date.now() + 15_000 }, (error, response) =>
      error ? reject(error) : resolve(response as T),
    );
  });

/**
 * A refusal as printed: one line, or for an INVALID_ARGUMENT listing several fields
 * (google.rpc.BadRequest) one line per field with its path, as `jobs:validate` prints problems.
 */
export const refusalLines = (file: string, error: unknown): string[] => {
  const e = error as ServiceError;
  const field = e.metadata?.get('trainyard-field')[0];
  const rule = e.metadata?.get('trainyard-rule')[0];
  const code = status[e.code] ?? 'ERROR';
  const [details] = e.metadata?.get(GRPC_STATUS_DETAILS_TRAILER) ?? [];
  const badRequest = Buffer.isBuffer(details)
    ? decodeRpcStatus(details).details.find((d) => d.type === 'google.rpc.BadRequest')
    : undefined;
  const violations =
    (badRequest?.value as { fieldViolations?: { field: string; description: string }[] })
      ?.fieldViolations ?? [];
  if (violations.length > 1)
    return violations.map((v) => `${file}: ${code} ${v.field}: ${v.description}`);
  return [
    `${file}: ${code}${field ? ` ${String(field)}` : ''}${rule ? ` (${String(rule)})` : ''}: ${e.details ?? String(error)}`,
  ];
};

export const main = async (argv: readonly string[], mode: 'apply' | 'diff'): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      address: { type: 'string' },
      token: { type: 'string' },
      role: { type: 'string' },
      reason: { type: 'string' },
    },
  });
  if (positionals.length === 0) {
    process.stderr.write(
      `usage: npm run jobs:${mode} -- [--address host:port] [--token T | --role R] [--reason text] <file-or-dir ...>\n`,
    );
    return 2;
  }
  const files = manifestFiles(positionals);
  const problems = validateManifestFiles(files);
  if (problems.length > 0) {
    for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
    process.stdout.write(`${problems.length} problem(s): nothing sent.\n`);
    return 1;
  }
  const token =
    values.token ??
    process.env.TRAINYARD_TOKEN ??
    (values.role ? await signDevToken({ roles: [values.role] }) : undefined);
  if (!token) {
    process.stderr.write('a token is needed: --token, TRAINYARD_TOKEN or --role\n');
    return 2;
  }
  const address = values.address ?? process.env.SCHEDULING_GRPC_ADDRESS ?? '127.0.0.1:50052';
  const client = new JobDefinitionService(address, credentials.createInsecure());
  let failed = 0;
  try {
    for (const file of files) {
      const manifest = readFileSync(file);
      try {
        if (mode === 'diff') {
          const d = await call<jobDefinitions.DiffManifestResponse>(
            client,
            'DiffManifest',
            { manifest },
            token,
          );
          process.stdout.write(
            `${file}: ${d.name} ${d.unchanged ? 'unchanged' : `against version ${d.runningVersion}`}${d.needsApproval ? `, needs approval (${d.approvalReasons.join('; ')})` : ''}\n`,
          );
          for (const line of d.lines) process.stdout.write(`  ${line}\n`);
        } else {
          const a = await call<jobDefinitions.ApplyManifestResponse>(
            client,
            'ApplyManifest',
            { manifest, reason: values.reason ?? '' },
            token,
          );
          const job = a.job;
          if (a.outcome === 'unchanged' && job?.proposal) {
            process.stdout.write(
              `${file}: ${job.name} unchanged: already awaits approval as ${job.proposal.digest}\n`,
            );
            continue;
          }
          process.stdout.write(
            `${file}: ${job?.name ?? '?'} ${a.outcome}${a.outcome === 'proposed' ? ` as ${job?.proposal?.digest ?? '?'}: awaits approval by someone else (${a.approvalReasons.join('; ')})` : ` (running version ${job?.runningVersion ?? 0})`}\n`,
          );
        }
      } catch (error) {
        failed++;
        for (const line of refusalLines(file, error)) process.stdout.write(`${line}\n`);
      }
    }
  } finally {
    client.close();
  }
  return failed === 0 ? 0 : 1;
};

if (require.main === module) {
  const mode = process.argv.includes('--diff-only') ? 'diff' : 'apply';
  main(
    process.argv.slice(2).filter((a) => a !== '--diff-only'),
    mode,
  ).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
