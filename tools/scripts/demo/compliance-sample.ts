// Section 4 of the compliance demo: a reproducible sample of this month's releases, checked
// against the change-control rules.
import type { complianceSampling } from '@trainyard/grpc-contracts';
import type { ComplianceSession } from './compliance-demo.types';
import { DemoCallError, unary } from './demo-grpc';

/** Draws and prints the sample; undefined when the service refuses to draw one. */
export async function drawPeriodSample(
  session: ComplianceSession,
): Promise<complianceSampling.DrawSampleResponse | undefined> {
  const { log, input } = session;
  const { sampling } = session.clients;
  const { officer } = session.tokens;
  const period = new Date().toISOString().slice(0, 7);
  const seed = `demo-${input.run}`;
  const sample = await unary<complianceSampling.DrawSampleResponse>(
    sampling,
    'DrawSample',
    { period, percent: 25, seed },
    officer,
  ).then(
    (drawn) => drawn,
    (error: unknown) => {
      if (!(error instanceof DemoCallError)) throw error;
      log(`\nSample of ${period}: not drawn (${error.message})`);
      return undefined;
    },
  );
  if (sample?.sample) {
    const s = sample.sample;
    log(
      `\nSample ${s.sampleId} of ${s.period}: ${s.percent} % of ${s.population} releases, seed ${s.seed} (rules ${s.rulesVersion}; same seed, same draw): ${s.sampled.join(', ') || 'none'}; ${s.findingCount} findings`,
    );
    for (const f of sample.findings.slice(0, 5))
      log(
        `  finding ${f.rule} on ${f.releaseId}${f.workloadId ? `/${f.workloadId}` : ''}: ${f.message}`,
      );
    if (sample.findings.length > 5) log(`  … ${sample.findings.length - 5} more findings`);
  }

  return sample;
}
