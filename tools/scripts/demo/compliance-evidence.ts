// Section 6 of the compliance demo: the period's evidence bundle, fetched over the API, written
// to a file and verified offline with the code of `npm run audit:verify-bundle`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBundle, verifyBundle } from '@trainyard/evidence';
import type { ComplianceDemoResult, ComplianceSession } from './compliance-demo.types';
import { waitUntil } from './demo-sections';

/** Exports the period's bundle to `input.outDir`, verifies it offline and prints the result. */
export async function exportEvidenceBundle(
  session: ComplianceSession,
  afterErasure: boolean,
): Promise<ComplianceDemoResult['bundle']> {
  const { log, input, timeoutMs, target } = session;
  const { auditor } = session.tokens;
  const label = `${input.periodFrom.slice(0, 10)}-${input.run}`;
  const path = join(input.outDir, `evidence-${label}.tar`);
  let refusal = '';
  const exported = await waitUntil(
    'a signed checkpoint covering the period',
    timeoutMs,
    async () => {
      const to = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000).toISOString();
      const response = await fetch(`${target.httpUrl}/api/compliance/evidence-bundles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auditor}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          from: input.periodFrom,
          to,
          ...(input.bundleServices ? { services: input.bundleServices } : {}),
        }),
      });
      if (response.status === 409) {
        refusal = await response.text(); // no checkpoint covers the period yet
        return undefined;
      }
      if (!response.ok)
        throw new Error(
          `POST /api/compliance/evidence-bundles: HTTP ${response.status} ${await response.text()}`,
        );
      return {
        to,
        bytes: Buffer.from(await response.arrayBuffer()),
        fingerprint: response.headers.get('x-bundle-key-fingerprint') ?? '',
        services: response.headers.get('x-bundle-services') ?? '',
      };
    },
  ).catch((error: unknown) => {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}; last answer ${refusal}`,
    );
  });
  mkdirSync(input.outDir, { recursive: true });
  writeFileSync(path, exported.bytes);
  log(
    `\nEvidence bundle of the period ${input.periodFrom} → ${exported.to} (${exported.services}) written to ${path}; manifest key ${exported.fingerprint}`,
  );
  // What `npm run audit:verify-bundle -- <path> --expect-key <fingerprint>` runs, offline.
  const verification = verifyBundle(await readBundle(path), {
    expectedFingerprint: exported.fingerprint,
  });
  if (verification.ok) {
    const s = verification.summary;
    log(
      `  verified offline${afterErasure ? ' (exported after the erasure: the logs still verify)' : ''}: ${s.files} files match the signed manifest; ${s.changes} changes; ${s.services.map((v) => `${v.service} checkpoint size ${v.treeSize}, ${v.events} events proven included`).join('; ')}`,
    );
  } else
    log(
      `  VERIFICATION FAILED (${verification.check})${verification.file ? ` ${verification.file}` : ''}: ${verification.message}`,
    );
  log(
    `  again by hand: npm run audit:verify-bundle -- ${path} --expect-key ${exported.fingerprint}`,
  );
  return { path, fingerprint: exported.fingerprint, verification };
}
