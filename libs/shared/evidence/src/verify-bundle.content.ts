import { canonicalize } from 'json-canonicalize';
import { parseVerifierKey } from '@trainyard/event-store';
import { changeEventsCsv, populationCsv, reconciliationCsv } from './bundle-render';
import type { BundleFiles, Manifest, PopulationFile, ReconciliationFile } from './bundle.types';
import {
  CHANGE_EVENTS_CSV,
  POPULATION_CSV,
  POPULATION_JSON,
  RECONCILIATION_CSV,
  RECONCILIATION_JSON,
  serviceFile,
} from './bundle.types';
import { buildPopulation, selectScope } from './population';
import { fail, parseJson, requireFile } from './verify-bundle.failure';
import { comparePopulation } from './verify-bundle.population';
import { verifyReconciliation } from './verify-bundle.reconciliation';
import { verifyService } from './verify-bundle.service-log';
import { verifyTrustedCheckpoints } from './verify-bundle.trusted-checkpoints';
import type { BundleCheck, BundleSummary, VerifyBundleOptions } from './verify-bundle.types';

export function verifyContent(
  files: BundleFiles,
  manifest: Manifest,
  options: VerifyBundleOptions,
): BundleSummary {
  const serviceNames = [
    ...new Set(
      [...files.keys()]
        .map((path) => /^services\/([^/]+)\//.exec(path)?.[1])
        .filter((s) => s !== undefined),
    ),
  ].sort();
  const trusted = (options.trustedVerifierKeys ?? []).map((k) => parseVerifierKey(k));
  const proven = serviceNames.map((service) => verifyService(files, service, trusted));
  const events = proven.flatMap((s) => s.events);

  // Population: every cited event is present, and every row is what the proven events show.
  const population = parseJson<PopulationFile>(
    requireFile(files, POPULATION_JSON),
    POPULATION_JSON,
    'population',
  );
  if (canonicalize(population.scope) !== canonicalize(manifest.scope))
    fail(
      'population',
      'population/changes.json names another scope than the manifest.',
      POPULATION_JSON,
    );
  const present = new Set(events.map((e) => `${e.service}#${e.leafIndex}`));
  for (const change of population.changes) {
    for (const ref of Object.values(change.trail).flat()) {
      if (!present.has(`${ref.service}#${ref.leafIndex}`))
        fail(
          'population',
          `change ${change.changeId} cites ${ref.service} leaf ${ref.leafIndex} (${ref.type}), which is not in ${serviceFile(ref.service, 'events.json')}.`,
          POPULATION_JSON,
        );
    }
  }
  const selection = selectScope(events, manifest.scope);
  for (const e of events) {
    if (!selection.selected.get(e.service)?.has(e.leafIndex))
      fail(
        'population',
        `${e.service} leaf ${e.leafIndex} (${e.event.type}) is in the bundle but not in its scope.`,
        serviceFile(e.service, 'events.json'),
      );
  }
  const expected = buildPopulation(events, manifest.scope, selection.changeIds);
  comparePopulation(population, expected);
  compareText(files, POPULATION_CSV, populationCsv(expected), 'population');
  compareText(files, CHANGE_EVENTS_CSV, changeEventsCsv(expected), 'population');

  // Reconciliation: the counts are those of the bundle, and add up to each signed log size.
  const reconciliation = parseJson<ReconciliationFile>(
    requireFile(files, RECONCILIATION_JSON),
    RECONCILIATION_JSON,
    'reconciliation',
  );
  verifyReconciliation(reconciliation, manifest.scope, proven);
  compareText(files, RECONCILIATION_CSV, reconciliationCsv(reconciliation), 'reconciliation');
  verifyTrustedCheckpoints(options.trustedCheckpoints ?? [], proven, reconciliation.complete);

  return {
    scope: manifest.scope,
    createdAt: manifest.createdAt,
    keyFingerprint: manifest.keyFingerprint,
    files: manifest.files.length,
    changes: population.changes.length,
    complete: reconciliation.complete,
    services: proven.map((s) => ({
      service: s.service,
      origin: s.checkpoint.origin,
      treeSize: s.checkpoint.treeSize,
      events: s.events.length,
    })),
  };
}

function compareText(files: BundleFiles, path: string, expected: string, check: BundleCheck): void {
  const actual = requireFile(files, path).toString('utf8');
  if (actual === expected) return;
  const a = actual.split('\r\n');
  const b = expected.split('\r\n');
  let line = 0;
  while (line < Math.max(a.length, b.length) && a[line] === b[line]) line++;
  const first = (b[line] ?? a[line] ?? '').split(',')[0];
  fail(
    check,
    `${path} line ${line + 1} (${first || 'end of file'}) does not match the bundle's proven events.`,
    path,
  );
}
