import type { PopulationFile, ReconciliationFile } from './bundle.types';
import { TRAIL_STAGES } from './bundle.types';
import { toCsv } from './csv';

/** Pretty JSON with a final newline: what every `.json` file of a bundle holds. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

/** `population/changes.csv`: one row per change, the same facts as changes.json. */
export function populationCsv(population: PopulationFile): string {
  return toCsv(
    [
      'change_id',
      'title',
      'team',
      'release_ids',
      'first_recorded_at',
      'last_recorded_at',
      'events',
      'request_events',
      'approval_events',
      'policy_result_events',
      'deployment_events',
      'other_events',
      'approved_before_deployment',
    ],
    population.changes.map((c) => [
      c.changeId,
      c.title,
      c.team,
      c.releaseIds.join(' '),
      c.firstRecordedAt,
      c.lastRecordedAt,
      c.eventCount,
      c.trail.request.length,
      c.trail.approvals.length,
      c.trail.policyResults.length,
      c.trail.deployments.length,
      c.trail.other.length,
      c.approvedBeforeDeployment,
    ]),
  );
}

/** `population/change-events.csv`: one row per (change, cited event), in trail order. */
export function changeEventsCsv(population: PopulationFile): string {
  return toCsv(
    [
      'change_id',
      'stage',
      'service',
      'leaf_index',
      'stream_id',
      'stream_version',
      'type',
      'recorded_at',
      'actor',
    ],
    population.changes.flatMap((c) =>
      TRAIL_STAGES.flatMap((stage) =>
        c.trail[stage].map((r) => [
          c.changeId,
          stage,
          r.service,
          r.leafIndex,
          r.streamId,
          r.streamVersion,
          r.type,
          r.recordedAt,
          r.actor,
        ]),
      ),
    ),
  );
}

/** `reconciliation.csv`: per service and stream type, events in the log, in scope, exported. */
export function reconciliationCsv(reconciliation: ReconciliationFile): string {
  return toCsv(
    ['service', 'origin', 'tree_size', 'stream_type', 'in_log', 'in_scope', 'exported'],
    reconciliation.services.flatMap((s) =>
      s.streamTypes.map((t) => [
        s.service,
        s.origin,
        s.treeSize,
        t.streamType,
        t.inLog,
        t.inScope,
        t.exported,
      ]),
    ),
  );
}
