import {
  NotFoundError,
  RuleViolation,
  ValidationError,
  assertIsoInstant,
  assertMetadata,
  assertNonEmpty,
} from '@trainyard/kernel';
import { formatUtcInstant } from '../time/civil-date';
import type { DurationPolicy } from '../durations/duration-policy';
import { expectedDuration, minutesBetween, durationVariance } from '../durations/expected-duration';
import {
  DEPLOYMENT_OUTCOMES,
  type DeploymentPlanCommand,
  type PlaceReleaseScope,
  type RecordDeploymentFinished,
  type RecordDeploymentStarted,
  type ReplaceDeployments,
} from './deployment-plan.commands';
import type {
  DeploymentPlanEvent,
  DeploymentSlot,
  UnplacedDeployment,
} from './deployment-plan.events';
import type { DeploymentPlan, PlannedDeployment } from './deployment-plan.state';
import { componentsFor, ownerFor, targetFor, type ReleaseTargetPolicy } from './release-target';
import type { PlaceSlot, PlacedSlot, SlotRequest } from './slot-placement';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** What the adapter supplies: the policies, the observed actuals and the calendar's placement. */
export interface DeploymentPlanDecisionContext {
  readonly targets: ReleaseTargetPolicy;
  readonly durations: DurationPolicy;
  /** Past actual durations in minutes by workload type, oldest first (the durations read model). */
  readonly actualMinutes: Readonly<Record<string, readonly number[]>>;
  readonly placeSlot: PlaceSlot;
}

export const deploymentIdOf = (
  releaseId: string,
  workloadId: string,
  environment: string,
): string => `${releaseId}:${workloadId}:${environment}`;

const actualsOf = (context: DeploymentPlanDecisionContext, type: string): readonly number[] =>
  Object.prototype.hasOwnProperty.call(context.actualMinutes, type)
    ? (context.actualMinutes[type] ?? [])
    : [];

interface ToPlace {
  readonly workloadId: string;
  readonly team: string;
  readonly workloadType: string;
  readonly wave: number;
  readonly environment: string;
  readonly components: readonly string[];
  readonly owner?: string;
}

interface PlanResult {
  readonly placed: readonly DeploymentSlot[];
  readonly unplaced: readonly UnplacedDeployment[];
}

/**
 * Places every deployment in order: environments as the target lists them, then planning's waves
 * ascending; a wave starts no earlier than the previous wave's (or environment's) last end plus
 * the target's wave gap. Each deployment is sized by its expected duration, not by what was asked.
 */
const placeAll = (
  releaseId: string,
  trainId: string,
  items: readonly ToPlace[],
  earliestStart: number,
  deadline: number,
  waveGapMs: number,
  context: DeploymentPlanDecisionContext,
  replacing: readonly string[],
): PlanResult => {
  const placed: DeploymentSlot[] = [];
  const placedSlots: PlacedSlot[] = [];
  const unplaced: UnplacedDeployment[] = [];
  const environments = [...new Set(items.map((i) => i.environment))];
  let barrier = earliestStart;
  for (const environment of environments) {
    const inEnv = items.filter((i) => i.environment === environment);
    const waves = [...new Set(inEnv.map((i) => i.wave))].sort((a, b) => a - b);
    for (const wave of waves) {
      let waveEnd = barrier;
      for (const item of inEnv.filter((i) => i.wave === wave)) {
        const expected = expectedDuration(
          item.workloadType,
          actualsOf(context, item.workloadType),
          context.durations,
        );
        const deploymentId = deploymentIdOf(releaseId, item.workloadId, environment);
        const request: SlotRequest = {
          deploymentId,
          releaseId,
          workloadId: item.workloadId,
          train: trainId,
          team: item.team,
          environment,
          components: item.components,
          ...(item.owner === undefined ? {} : { owner: item.owner }),
          expectedDurationMs: expected.minutes * MINUTE_MS,
          earliestStart: barrier,
          deadline,
          placedBefore: placedSlots,
          replacing,
        };
        const answer = context.placeSlot(request);
        if (answer.status === 'unplaced') {
          unplaced.push({
            deploymentId,
            workloadId: item.workloadId,
            team: item.team,
            environment,
            wave,
            rule: answer.rule,
            message: answer.message,
            rejected: answer.rejected,
          });
          continue;
        }
        placedSlots.push({
          deploymentId,
          start: answer.start,
          end: answer.end,
          components: item.components,
          ...(item.owner === undefined ? {} : { owner: item.owner }),
        });
        placed.push({
          deploymentId,
          workloadId: item.workloadId,
          team: item.team,
          workloadType: item.workloadType,
          environment,
          components: item.components,
          ...(item.owner === undefined ? {} : { owner: item.owner }),
          wave,
          start: formatUtcInstant(answer.start),
          end: formatUtcInstant(answer.end),
          expectedDuration: {
            minutes: expected.minutes,
            basis: expected.basis,
            samples: expected.samples,
            percentile: expected.percentile,
            policyVersion: expected.policyVersion,
          },
          rejected: answer.rejected,
        });
        waveEnd = Math.max(waveEnd, answer.end);
      }
      barrier = waveEnd + waveGapMs;
    }
  }
  return { placed, unplaced };
};

const validateScope = (command: PlaceReleaseScope): void => {
  const { data } = command;
  assertNonEmpty('releaseId', data.releaseId);
  assertNonEmpty('trainId', data.trainId);
  assertIsoInstant('committedAt', data.committedAt);
  if (data.workloads.length === 0)
    throw new ValidationError(
      'workloads',
      'A committed scope needs at least one workload to place.',
    );
  const ids = new Set<string>();
  data.workloads.forEach((w, i) => {
    assertNonEmpty(`workloads[${i}].workloadId`, w.workloadId);
    assertNonEmpty(`workloads[${i}].team`, w.team);
    assertNonEmpty(`workloads[${i}].changeType`, w.changeType);
    if (ids.has(w.workloadId))
      throw new ValidationError(
        `workloads[${i}].workloadId`,
        `Workload ${w.workloadId} is listed twice.`,
      );
    ids.add(w.workloadId);
  });
  data.deploymentOrder.forEach((o, i) => {
    if (!Number.isInteger(o.wave) || o.wave < 1)
      throw new ValidationError(
        `deploymentOrder[${i}].wave`,
        `A wave is a whole number from 1; got ${o.wave}.`,
      );
  });
};

export const placeReleaseScope = (
  command: PlaceReleaseScope,
  state: DeploymentPlan,
  context: DeploymentPlanDecisionContext,
): DeploymentPlanEvent[] => {
  assertMetadata(command.metadata);
  validateScope(command);
  // Planning's event arrives at least once: a plan (or its alert) is decided once per release.
  if (state.status !== 'Unplanned') return [];
  const { data } = command;
  const target = targetFor(data.trainId, context.targets);
  const committed = Date.parse(data.committedAt);
  const earliestStart = committed + target.leadMinutes * MINUTE_MS;
  const deadline = committed + target.deadlineDays * DAY_MS;
  const waveOf = new Map(data.deploymentOrder.map((o) => [o.workloadId, o.wave]));
  const items: ToPlace[] = target.environments.flatMap((environment) =>
    data.workloads.map((w) => {
      const owner = ownerFor(target, w.team);
      return {
        workloadId: w.workloadId,
        team: w.team,
        workloadType: w.changeType,
        wave: waveOf.get(w.workloadId) ?? 1,
        environment,
        components: componentsFor(target, w.workloadId, w.team),
        ...(owner === undefined ? {} : { owner }),
      };
    }),
  );
  const { placed, unplaced } = placeAll(
    data.releaseId,
    data.trainId,
    items,
    earliestStart,
    deadline,
    target.waveGapMinutes * MINUTE_MS,
    context,
    [],
  );
  const deadlineText = formatUtcInstant(deadline);
  if (unplaced.length > 0)
    return [
      {
        type: 'DeploymentPlacementFailed',
        data: {
          releaseId: data.releaseId,
          trainId: data.trainId,
          deadline: deadlineText,
          unplaced,
          placedCount: placed.length,
          reason: `${unplaced.length} of ${items.length} deployments of release ${data.releaseId} cannot be placed before ${deadlineText}.`,
          targetVersion: context.targets.version,
          failedAt: command.metadata.now,
        },
      },
    ];
  return [
    {
      type: 'DeploymentScheduled',
      data: {
        releaseId: data.releaseId,
        trainId: data.trainId,
        deadline: deadlineText,
        deployments: placed,
        targetVersion: context.targets.version,
        scheduledBy: command.metadata.actor,
        scheduledAt: command.metadata.now,
      },
    },
  ];
};

const triggerWords = {
  'freeze-added': 'freeze',
  'override-expired': 'override',
  'window-changed': 'window',
};

/**
 * Re-places the deployments that have not started, from now on, over the calendar as it is now.
 * Only the ones whose slot changed are reported; a plan that still fits is left alone.
 */
export const replaceDeployments = (
  command: ReplaceDeployments,
  state: DeploymentPlan,
  context: DeploymentPlanDecisionContext,
): DeploymentPlanEvent[] => {
  assertMetadata(command.metadata);
  const { data } = command;
  assertNonEmpty('releaseId', data.releaseId);
  assertNonEmpty('trigger.id', data.trigger.id);
  if (!(data.trigger.kind in triggerWords))
    throw new ValidationError(
      'trigger.kind',
      `Unknown reschedule trigger ${String(data.trigger.kind)}.`,
    );
  if (state.status === 'Unplanned') throw new NotFoundError('deployment plan', data.releaseId);
  if (state.status !== 'Scheduled')
    throw new RuleViolation(
      'plan-scheduled',
      `Release ${data.releaseId} has no scheduled plan to re-place.`,
    );
  const pending = state.deployments.filter((d) => d.progress === 'scheduled');
  const target = targetFor(state.trainId, context.targets);
  const now = Date.parse(command.metadata.now);
  const { placed, unplaced } = placeAll(
    state.releaseId,
    state.trainId,
    pending,
    now,
    Date.parse(state.deadline),
    target.waveGapMinutes * MINUTE_MS,
    context,
    pending.map((d) => d.deploymentId),
  );
  const reason = `${triggerWords[data.trigger.kind]} ${data.trigger.id} ${data.trigger.kind === 'freeze-added' ? 'was added' : data.trigger.kind === 'override-expired' ? 'expired' : 'changed'}`;
  if (unplaced.length > 0)
    return [
      {
        type: 'DeploymentPlacementFailed',
        data: {
          releaseId: state.releaseId,
          trainId: state.trainId,
          deadline: state.deadline,
          unplaced,
          placedCount: placed.length,
          reason: `After ${reason}, ${unplaced.length} deployments of release ${state.releaseId} cannot be placed before ${state.deadline}.`,
          targetVersion: context.targets.version,
          failedAt: command.metadata.now,
        },
      },
    ];
  const before = new Map(pending.map((d) => [d.deploymentId, d]));
  const moved = placed.flatMap((slot) => {
    const previous = before.get(slot.deploymentId);
    if (!previous || (previous.start === slot.start && previous.end === slot.end)) return [];
    return [{ ...slot, previousStart: previous.start, previousEnd: previous.end }];
  });
  if (moved.length === 0) return [];
  return [
    {
      type: 'DeploymentRescheduled',
      data: {
        releaseId: state.releaseId,
        trigger: data.trigger,
        reason: `Re-placed ${moved.length} deployments because ${reason}.`,
        deployments: moved,
        rescheduledBy: command.metadata.actor,
        rescheduledAt: command.metadata.now,
      },
    },
  ];
};

const deploymentIn = (
  state: DeploymentPlan,
  releaseId: string,
  deploymentId: string,
): PlannedDeployment => {
  assertNonEmpty('releaseId', releaseId);
  assertNonEmpty('deploymentId', deploymentId);
  const found =
    state.status === 'Unplanned'
      ? undefined
      : state.deployments.find((d) => d.deploymentId === deploymentId);
  if (!found) throw new NotFoundError('deployment', deploymentId);
  return found;
};

export const recordDeploymentStarted = (
  command: RecordDeploymentStarted,
  state: DeploymentPlan,
): DeploymentPlanEvent[] => {
  assertMetadata(command.metadata);
  const { data } = command;
  assertIsoInstant('startedAt', data.startedAt);
  const deployment = deploymentIn(state, data.releaseId, data.deploymentId);
  if (deployment.progress === 'started' && deployment.startedAt === data.startedAt) return [];
  if (deployment.progress !== 'scheduled')
    throw new RuleViolation(
      'deployment-started-once',
      `Deployment ${data.deploymentId} has already started.`,
    );
  return [
    {
      type: 'DeploymentStarted',
      data: {
        releaseId: data.releaseId,
        deploymentId: data.deploymentId,
        workloadType: deployment.workloadType,
        startedAt: data.startedAt,
        recordedBy: command.metadata.actor,
      },
    },
  ];
};

export const recordDeploymentFinished = (
  command: RecordDeploymentFinished,
  state: DeploymentPlan,
): DeploymentPlanEvent[] => {
  assertMetadata(command.metadata);
  const { data } = command;
  assertIsoInstant('finishedAt', data.finishedAt);
  if (!DEPLOYMENT_OUTCOMES.includes(data.outcome))
    throw new ValidationError(
      'outcome',
      `The outcome must be one of ${DEPLOYMENT_OUTCOMES.join(', ')}; got ${String(data.outcome)}.`,
    );
  const deployment = deploymentIn(state, data.releaseId, data.deploymentId);
  if (deployment.progress === 'finished') return [];
  if (deployment.progress !== 'started' || deployment.startedAt === undefined)
    throw new RuleViolation(
      'deployment-finished-after-start',
      `Deployment ${data.deploymentId} has not started.`,
    );
  const actual = minutesBetween(deployment.startedAt, data.finishedAt);
  if (actual < 0)
    throw new ValidationError(
      'finishedAt',
      `A deployment cannot finish before it started at ${deployment.startedAt}.`,
    );
  const variance = durationVariance(deployment.expectedDuration.minutes, actual);
  return [
    {
      type: 'DeploymentFinished',
      data: {
        releaseId: data.releaseId,
        deploymentId: data.deploymentId,
        workloadType: deployment.workloadType,
        outcome: data.outcome,
        startedAt: deployment.startedAt,
        finishedAt: data.finishedAt,
        expectedMinutes: variance.expectedMinutes,
        actualMinutes: variance.actualMinutes,
        varianceMinutes: variance.varianceMinutes,
        recordedBy: command.metadata.actor,
      },
    },
  ];
};

export const decideDeploymentPlan = (
  command: DeploymentPlanCommand,
  state: DeploymentPlan,
  context: DeploymentPlanDecisionContext,
): readonly DeploymentPlanEvent[] => {
  switch (command.type) {
    case 'PlaceReleaseScope':
      return placeReleaseScope(command, state, context);
    case 'ReplaceDeployments':
      return replaceDeployments(command, state, context);
    case 'RecordDeploymentStarted':
      return recordDeploymentStarted(command, state);
    case 'RecordDeploymentFinished':
      return recordDeploymentFinished(command, state);
    default: {
      const unknown: never = command;
      throw new ValidationError(
        'type',
        `Unknown command ${String((unknown as { type: unknown }).type)}.`,
      );
    }
  }
};
