import { assertMetadata, assertNonEmpty, RuleViolation, ValidationError } from '@trainyard/kernel';
import type { ExcludeWorkload, IncludeWorkload } from './release.commands';
import { deferWorkload, planWorkload } from '../workload/workload.decide';
import type { ReleaseEvent } from './release.events';
import {
  assertException,
  closed,
  DEFAULT_CONTEXT,
  known,
  registeredWorkload,
  type ReleaseDecisionContext,
} from './release.guards';
import type { Release } from './release.state';
import { scopeUsed } from './release.state';

/** While planning, a scope change is negotiated (once: asking again changes nothing). */
const negotiated = (
  command: IncludeWorkload | ExcludeWorkload,
  current: Extract<Release, { status: 'Planning' }>,
  change: 'include' | 'exclude',
): ReleaseEvent[] => {
  const { releaseId, workloadId } = command.data;
  if (current.negotiated[change].includes(workloadId)) return [];
  return [
    {
      type: 'ReleaseScopeNegotiated',
      data: {
        releaseId,
        workloadId,
        change,
        ...(command.metadata.reason ? { reason: command.metadata.reason } : {}),
        negotiatedBy: command.metadata.actor,
        negotiatedAt: command.metadata.now,
      },
    },
  ];
};

/** The checks every scope change starts with, in order; returns the release it changes. */
const scopeChangeOf = (
  command: IncludeWorkload | ExcludeWorkload,
  state: Release,
  context: ReleaseDecisionContext,
): ReturnType<typeof known> => {
  assertMetadata(command.metadata);
  assertNonEmpty('workloadId', command.data.workloadId);
  registeredWorkload(context, command.data.workloadId);
  return known(state, command.data.releaseId);
};

export const includeWorkload = (
  command: IncludeWorkload,
  state: Release,
  context = DEFAULT_CONTEXT,
): ReleaseEvent[] => {
  const current = scopeChangeOf(command, state, context);
  const { releaseId, workloadId, exception } = command.data;
  const { actor, now } = command.metadata;
  switch (current.status) {
    case 'Planning':
      return negotiated(command, current, 'include');
    case 'ScopeCommitted': {
      if (current.scope.some((s) => s.workloadId === workloadId)) return [];
      if (current.kind === 'emergency')
        throw new RuleViolation(
          'emergency-patch-single-workload',
          'an emergency patch release carries one workload',
        );
      const profile =
        context.workload?.status === 'Unregistered' ? undefined : context.workload?.profile;
      const team = command.data.team || profile?.team;
      const jobSize = command.data.jobSize || profile?.jobSize;
      if (context.workload)
        planWorkload(
          { type: 'PlanWorkload', data: { workloadId, releaseId }, metadata: command.metadata },
          context.workload,
        );
      const approved = assertException(exception, command.metadata, context.policy, workloadId);
      const owner = assertNonEmpty('team', team);
      if (!(typeof jobSize === 'number' && Number.isFinite(jobSize) && jobSize > 0))
        throw new ValidationError(
          'jobSize',
          'jobSize is required to add a workload to committed scope',
        );
      return [
        {
          type: 'ScopeExceptionGranted',
          data: {
            releaseId,
            workloadId,
            change: 'include',
            reason: approved.reason,
            approver: approved.approver,
            requestedBy: actor,
            grantedAt: now,
          },
        },
        {
          type: 'ReleaseWorkloadIncluded',
          data: {
            releaseId,
            workloadId,
            team: owner,
            jobSize,
            unplanned: true,
            capacityUsed: scopeUsed(current.scope) + jobSize,
            capacityTotal: current.capacityTotal,
            includedAt: now,
          },
        },
      ];
    }
    case 'Released':
    case 'Cancelled':
      throw closed(current);
  }
};

export const excludeWorkload = (
  command: ExcludeWorkload,
  state: Release,
  context = DEFAULT_CONTEXT,
): ReleaseEvent[] => {
  const current = scopeChangeOf(command, state, context);
  const { releaseId, workloadId, exception } = command.data;
  const { actor, now } = command.metadata;
  switch (current.status) {
    case 'Planning':
      return negotiated(command, current, 'exclude');
    case 'ScopeCommitted': {
      const item = current.scope.find((s) => s.workloadId === workloadId);
      if (!item) return [];
      if (current.kind === 'emergency')
        throw new RuleViolation(
          'emergency-patch-single-workload',
          'cancel the emergency release instead',
        );
      if (context.workload)
        deferWorkload(
          {
            type: 'DeferWorkload',
            data: { workloadId, releaseId, reason: `excluded from ${releaseId}` },
            metadata: command.metadata,
          },
          context.workload,
        );
      const approved = assertException(exception, command.metadata, context.policy, workloadId);
      return [
        {
          type: 'ScopeExceptionGranted',
          data: {
            releaseId,
            workloadId,
            change: 'exclude',
            reason: approved.reason,
            approver: approved.approver,
            requestedBy: actor,
            grantedAt: now,
          },
        },
        {
          type: 'ReleaseWorkloadExcluded',
          data: { releaseId, workloadId, team: item.team, jobSize: item.jobSize, excludedAt: now },
        },
      ];
    }
    case 'Released':
    case 'Cancelled':
      throw closed(current);
  }
};
