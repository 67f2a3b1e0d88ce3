import { canonicalize } from 'json-canonicalize';
import type { Change, PopulationFile } from './bundle.types';
import { POPULATION_JSON } from './bundle.types';
import { fail } from './verify-bundle.failure';

export function comparePopulation(actual: PopulationFile, expected: PopulationFile): void {
  const rows = new Map(actual.changes.map((c) => [c.changeId, c]));
  for (const change of expected.changes) {
    const row = rows.get(change.changeId);
    if (!row)
      fail(
        'population',
        `change ${change.changeId} is missing from population/changes.json, though its events are in the bundle.`,
        POPULATION_JSON,
      );
    const field = firstDifference(row!, change);
    if (field !== undefined)
      fail(
        'population',
        `the row of change ${change.changeId} in population/changes.json does not match its proven events (${field}).`,
        POPULATION_JSON,
      );
    rows.delete(change.changeId);
  }
  for (const id of rows.keys())
    fail(
      'population',
      `change ${id} in population/changes.json has no proven events in scope.`,
      POPULATION_JSON,
    );
  if (canonicalize(actual) !== canonicalize(expected))
    fail(
      'population',
      'population/changes.json differs from the population its events show (order or count).',
      POPULATION_JSON,
    );
}

function firstDifference(actual: Change, expected: Change): string | undefined {
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  for (const key of keys) {
    const a = (actual as unknown as Record<string, unknown>)[key];
    const b = (expected as unknown as Record<string, unknown>)[key];
    if (canonicalize(a ?? null) !== canonicalize(b ?? null)) return `field ${key}`;
  }
  return undefined;
}
