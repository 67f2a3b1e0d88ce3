// Verifies an evidence bundle offline (docs/evidence-bundle.md): no database, no Kafka, no
// service; pure functions of @trainyard/evidence and the event store's Merkle and checkpoint code.
//   npm run audit:verify-bundle -- <bundle directory or .tar> [--expect-key <fingerprint>] [--trusted-key <vkey file>]...
//                                  [--trusted-checkpoint <checkpoint file>]...
// --expect-key: the bundle key's fingerprint as the operator gave it (refuses a re-signed bundle);
// --trusted-key: a service's checkpoint verifier key obtained independently (refuses another key);
// --trusted-checkpoint: a signed checkpoint kept from before (the last bundle's): the log must extend it.
// Exit codes: 0 verified, 1 a check failed (the first failure is named), 2 usage error.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readBundle, verifyBundle } from '@trainyard/evidence';

const USAGE =
  'usage: npm run audit:verify-bundle -- <bundle directory or .tar> [--expect-key <fingerprint>] [--trusted-key <vkey file>]... [--trusted-checkpoint <checkpoint file>]...';

class UsageError extends Error {}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  const options = {
    'expect-key': { type: 'string' },
    'trusted-key': { type: 'string', multiple: true },
    'trusted-checkpoint': { type: 'string', multiple: true },
  } as const;
  try {
    parsed = parseArgs({ options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; ${USAGE}`);
  }
  const [path, ...extra] = parsed.positionals;
  if (!path || extra.length > 0) throw new UsageError(USAGE);
  if (!existsSync(path)) throw new UsageError(`no such bundle: ${path}`);
  const trusted = (parsed.values['trusted-key'] ?? []).map((file) => {
    if (!existsSync(file)) throw new UsageError(`no such verifier key file: ${file}`);
    return readFileSync(file, 'utf8').trim();
  });
  const trustedCheckpoints = (parsed.values['trusted-checkpoint'] ?? []).map((file) => {
    if (!existsSync(file)) throw new UsageError(`no such checkpoint file: ${file}`);
    return readFileSync(file, 'utf8');
  });
  let files: Map<string, Buffer>;
  try {
    files = await readBundle(path);
  } catch (error) {
    console.log(
      `FAILED (layout): ${path} cannot be read as a bundle: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  const expectedFingerprint = parsed.values['expect-key'];
  const result = verifyBundle(files, {
    ...(expectedFingerprint ? { expectedFingerprint } : {}),
    trustedVerifierKeys: trusted,
    trustedCheckpoints,
  });
  if (!result.ok) {
    console.log(
      `FAILED (${result.check})${result.file ? ` ${result.file}` : ''}: ${result.message}`,
    );
    return 1;
  }
  const s = result.summary;
  console.log(`verified evidence bundle ${path}`);
  console.log(
    `  scope ${JSON.stringify(s.scope)}, made ${s.createdAt}; ${s.changes} changes${s.complete ? '; whole history, every log complete' : ''}`,
  );
  console.log(
    `  ${s.files} files match the manifest; manifest signed by Ed25519 key ${s.keyFingerprint}`,
  );
  for (const service of s.services)
    console.log(
      `  ${service.service}: checkpoint ${service.origin} size ${service.treeSize} signature valid; ${service.events} events, each hashing to its leaf and proven included`,
    );
  console.log(
    '  population and change trails recomputed from the proven events; reconciliation counts match',
  );
  if (trustedCheckpoints.length > 0)
    console.log(`  the logs extend the ${trustedCheckpoints.length} checkpoint(s) you hold`);
  if (!expectedFingerprint)
    console.log(
      'note: no --expect-key given: compare the key fingerprint above with the one the operator gave you',
    );
  if (trusted.length === 0)
    console.log(
      "note: no --trusted-key given: compare each service's verifier key (services/*/verifier-key.txt) with one obtained independently",
    );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
