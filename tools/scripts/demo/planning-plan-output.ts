// How the planning part of `npm run demo` prints a committed plan.
import type { planning } from '@trainyard/grpc-contracts';

export const pad = (text: string, width: number): string =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
export const short = (enumValue: string, prefix: string): string =>
  enumValue.replace(`${prefix}_`, '').toLowerCase().replace(/_/g, '-');

export function printPlan(
  plan: planning.Plan,
  capacity: planning.CapacityEstimate | undefined,
): void {
  console.log(
    `\nRelease ${plan.releaseId} on train ${plan.trainId} — policy ${plan.policyVersion}`,
  );
  console.log(
    `Capacity used ${plan.capacityUsed} of ${plan.capacityTotal}; tech-debt reserve ${plan.techDebt?.reserve ?? 0} (used ${plan.techDebt?.used ?? 0})`,
  );
  for (const t of capacity?.teams ?? [])
    console.log(
      `  capacity ${pad(t.team, 12)} ${String(t.capacity).padStart(4)}  ${t.explanation}`,
    );
  const header = `${'#'.padStart(3)}  ${pad('workload', 22)} ${pad('team', 13)} ${pad('title', 38)} ${'job'.padStart(3)} ${'WSJF'.padStart(5)}  ${pad('decision', 9)} reason`;
  console.log(`\n${header}\n${'-'.repeat(header.length + 40)}`);
  const sorted = [...plan.entries].sort((a, b) => a.order - b.order);
  for (const e of sorted) {
    console.log(
      `${String(e.order).padStart(3)}  ${pad(e.workloadId, 22)} ${pad(e.team, 13)} ${pad(e.title, 38)} ${String(e.jobSize).padStart(3)} ${e.wsjf.toFixed(2).padStart(5)}  ${pad(short(e.decision, 'SCOPE_DECISION'), 9)} ${e.reason}`,
    );
  }
  for (const a of plan.alerts) console.log(`ALERT ${a.type}: ${a.reason}`);
  for (const f of plan.couplingFlags) console.log(`integration testing: ${f.reason}`);
  for (const f of plan.deprecationFlags) console.log(`deprecated API: ${f.message}`);
  for (const skew of plan.versionSkews) {
    console.log(`version skew: ${skew.reason}`);
    for (const r of skew.resolutions)
      console.log(`  ${short(r.action, 'SKEW_ACTION')}: ${r.reason}`);
  }
  for (const g of plan.contractGroups)
    console.log(
      `deploy together (${g.contract}): ${g.workloadIds.join(', ')}${g.decoupledByFlag.length ? `; behind a flag: ${g.decoupledByFlag.join(', ')}` : ''}`,
    );
  const waves = new Map<number, string[]>();
  for (const d of plan.deploymentOrder)
    waves.set(d.wave, [...(waves.get(d.wave) ?? []), d.workloadId]);
  for (const [wave, ids] of [...waves].sort((a, b) => a[0] - b[0]))
    console.log(`wave ${wave}: ${ids.join(', ')}`);
}
