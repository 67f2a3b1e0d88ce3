import { canonicalize } from 'json-canonicalize';
import type { BundleScope, ReconciliationFile } from './bundle.types';
import { RECONCILIATION_JSON } from './bundle.types';
import { rootOfPrefix } from './merkle-proofs';
import { streamTypeOf } from './population';
import { fail } from './verify-bundle.failure';
import type { ProvenService } from './verify-bundle.service-log';

export function verifyReconciliation(
  reconciliation: ReconciliationFile,
  scope: BundleScope,
  proven: readonly ProvenService[],
): void {
  const at = RECONCILIATION_JSON;
  if (canonicalize(reconciliation.scope) !== canonicalize(scope))
    fail('reconciliation', 'reconciliation.json names another scope than the manifest.', at);
  if (reconciliation.complete !== (scope.kind === 'all'))
    fail('reconciliation', 'reconciliation.json claims the wrong completeness for its scope.', at);
  const names = reconciliation.services.map((s) => s.service);
  const missing = proven.find((p) => !names.includes(p.service));
  if (missing)
    fail('reconciliation', `reconciliation.json leaves out service ${missing.service}.`, at);
  for (const row of reconciliation.services) {
    const service = proven.find((p) => p.service === row.service);
    if (!service)
      return fail(
        'reconciliation',
        `reconciliation.json counts service ${row.service}, whose log is not in the bundle.`,
        at,
      );
    if (row.origin !== service.checkpoint.origin || row.treeSize !== service.checkpoint.treeSize)
      fail(
        'reconciliation',
        `reconciliation.json gives ${row.service} another log (origin or size) than its checkpoint.`,
        at,
      );
    const exported = new Map<string, number>();
    for (const e of service.events) {
      const type = streamTypeOf(e.event.streamId);
      exported.set(type, (exported.get(type) ?? 0) + 1);
    }
    let inLog = 0;
    for (const t of row.streamTypes) {
      const count = exported.get(t.streamType) ?? 0;
      const where = `${row.service} ${t.streamType} streams`;
      if (t.exported !== count)
        fail(
          'reconciliation',
          `${where}: reconciliation.json says ${t.exported} events exported, the bundle holds ${count}.`,
          at,
        );
      if (t.inScope !== t.exported)
        fail(
          'reconciliation',
          `${where}: ${t.inScope} events in scope in the log, ${t.exported} exported: events were left out.`,
          at,
        );
      if (t.inLog < t.inScope)
        fail(
          'reconciliation',
          `${where}: more events in scope (${t.inScope}) than in the log (${t.inLog}).`,
          at,
        );
      if (reconciliation.complete && t.inLog !== t.inScope)
        fail(
          'reconciliation',
          `${where}: ${t.inLog} events in the log, ${t.inScope} exported, in a whole-history bundle.`,
          at,
        );
      exported.delete(t.streamType);
      inLog += t.inLog;
    }
    const uncounted = [...exported.keys()][0];
    if (uncounted !== undefined)
      fail(
        'reconciliation',
        `${row.service} ${uncounted} streams are exported but not counted in reconciliation.json.`,
        at,
      );
    if (inLog !== service.checkpoint.treeSize)
      fail(
        'reconciliation',
        `${row.service}: the counts add up to ${inLog} events, the signed log holds ${service.checkpoint.treeSize}.`,
        at,
      );
    if (reconciliation.complete) {
      const whole = rootOfPrefix((i) => service.leaves.get(i), service.checkpoint.treeSize);
      if ('missingLeaf' in whole)
        return fail(
          'reconciliation',
          `${row.service} leaf ${whole.missingLeaf} is missing from a whole-history bundle.`,
          at,
        );
      if (!whole.root.equals(service.checkpoint.rootHash))
        fail(
          'reconciliation',
          `${row.service}: the exported events do not hash to the signed root.`,
          at,
        );
    }
  }
}
