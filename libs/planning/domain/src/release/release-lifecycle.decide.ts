import { findTrack } from '../policy/routing';
import {
  assertIsoInstant,
  assertMetadata,
  assertNonEmpty,
  AlreadyExistsError,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import type { CancelRelease, CloseRelease, PlanRelease } from './release.commands';
import type { ReleaseEvent } from './release.events';
import { closed, DEFAULT_CONTEXT, known } from './release.guards';
import type { Release } from './release.state';

export const planRelease = (
  command: PlanRelease,
  state: Release,
  context = DEFAULT_CONTEXT,
): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const { releaseId, trainId, window } = command.data;
  assertNonEmpty('releaseId', releaseId);
  assertNonEmpty('trainId', trainId);
  const start = Date.parse(assertIsoInstant('window.start', window?.start));
  const end = Date.parse(assertIsoInstant('window.end', window.end));
  if (end <= start)
    throw new ValidationError('window.end', 'window.end must be after window.start');
  if (!findTrack(context.policy, trainId)) throw new NotFoundError('train', trainId);
  if (state.status !== 'Unplanned') {
    const same =
      state.status === 'Planning' &&
      state.trainId === trainId &&
      state.window.start === window.start &&
      state.window.end === window.end;
    if (same) return [];
    throw new AlreadyExistsError('release', state.releaseId);
  }
  return [
    {
      type: 'ReleasePlanned',
      data: {
        releaseId,
        trainId,
        window,
        plannedBy: command.metadata.actor,
        plannedAt: command.metadata.now,
      },
    },
  ];
};

export const closeRelease = (command: CloseRelease, state: Release): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const { releaseId, completed } = command.data;
  const current = known(state, releaseId);
  if (current.status === 'Released') return [];
  if (current.status === 'Planning')
    throw new RuleViolation(
      'scope-committed-before-close',
      `release ${releaseId} has no committed scope`,
    );
  if (current.status !== 'ScopeCommitted') throw closed(current);
  const scope = new Map(current.scope.map((s) => [s.workloadId, s]));
  const delivered = new Map<string, number>();
  completed.forEach((c, i) => {
    const item = scope.get(c.workloadId);
    if (!item)
      throw new ValidationError(
        `completed[${i}].workloadId`,
        `${c.workloadId} is not in the scope of ${releaseId}`,
      );
    if (delivered.has(c.workloadId))
      throw new ValidationError(`completed[${i}].workloadId`, `${c.workloadId} is listed twice`);
    // 0 (or absent) means "as planned": the size committed for it.
    const jobSize = c.jobSize === 0 ? item.jobSize : c.jobSize;
    if (!(Number.isFinite(jobSize) && jobSize > 0))
      throw new ValidationError(`completed[${i}].jobSize`, 'jobSize must be positive');
    delivered.set(c.workloadId, jobSize);
  });
  const byTeam = new Map<string, { completed: number; unplanned: number; planned: number }>();
  for (const item of current.scope) {
    const totals = byTeam.get(item.team) ?? { completed: 0, unplanned: 0, planned: 0 };
    const done = delivered.get(item.workloadId) ?? 0;
    if (item.unplanned) totals.unplanned += done;
    else {
      totals.planned += item.jobSize;
      totals.completed += done;
    }
    byTeam.set(item.team, totals);
  }
  return [
    {
      type: 'ReleaseClosed',
      data: {
        releaseId,
        trainId: current.trainId,
        kind: current.kind,
        completed: current.scope
          .filter((s) => delivered.has(s.workloadId))
          .map((s) => ({
            workloadId: s.workloadId,
            team: s.team,
            jobSize: delivered.get(s.workloadId) ?? 0,
            unplanned: s.unplanned,
          })),
        notCompleted: current.scope
          .filter((s) => !delivered.has(s.workloadId))
          .map((s) => s.workloadId),
        teams: [...byTeam.keys()].sort().map((team) => {
          const t = byTeam.get(team) ?? { completed: 0, unplanned: 0, planned: 0 };
          return {
            team,
            completedJobSize: t.completed,
            unplannedJobSize: t.unplanned,
            plannedJobSize: t.planned,
          };
        }),
        closedBy: command.metadata.actor,
        closedAt: command.metadata.now,
      },
    },
  ];
};

export const cancelRelease = (command: CancelRelease, state: Release): ReleaseEvent[] => {
  assertMetadata(command.metadata);
  const current = known(state, command.data.releaseId);
  if (current.status === 'Cancelled') return [];
  if (current.status === 'Released') throw closed(current);
  const reason = assertNonEmpty('reason', command.metadata.reason);
  return [
    {
      type: 'ReleaseCancelled',
      data: {
        releaseId: current.releaseId,
        reason,
        workloadIds:
          current.status === 'ScopeCommitted' ? current.scope.map((s) => s.workloadId) : [],
        cancelledBy: command.metadata.actor,
        cancelledAt: command.metadata.now,
      },
    },
  ];
};
