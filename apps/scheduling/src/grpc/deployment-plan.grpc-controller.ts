import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { schedulingDeploymentPlan as pb } from '@trainyard/grpc-contracts';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import {
  DEPLOYMENT_OUTCOMES,
  type DeploymentOutcome,
  type DeploymentPlan,
  type RescheduleTrigger,
} from '@trainyard/scheduling-domain';
import { DeploymentPlanUseCases, type PlanAnswer } from '../application/deployment-plan.use-cases';

export const DEPLOYMENT_PLAN_SERVICE = 'DeploymentPlanService';

const TRIGGERS: readonly RescheduleTrigger['kind'][] = [
  'freeze-added',
  'override-expired',
  'window-changed',
];

const planOf = (state: DeploymentPlan): pb.DeploymentPlan | undefined =>
  state.status === 'Unplanned'
    ? undefined
    : {
        releaseId: state.releaseId,
        trainId: state.trainId,
        status: state.status,
        deadline: state.deadline,
        deployments: state.deployments.map((d) => ({
          deploymentId: d.deploymentId,
          workloadId: d.workloadId,
          team: d.team,
          workloadType: d.workloadType,
          environment: d.environment,
          components: [...d.components],
          owner: d.owner ?? '',
          wave: d.wave,
          start: d.start,
          end: d.end,
          expectedMinutes: d.expectedDuration.minutes,
          expectedBasis: d.expectedDuration.basis,
          progress: d.progress,
          rejected: d.rejected.map((r) => ({ ...r })),
        })),
        alert: '',
      };

const answer = ({ state, events }: PlanAnswer) => {
  const plan = planOf(state);
  const alert = events.find((e) => e.type === 'DeploymentPlacementFailed');
  return {
    ...(plan
      ? {
          plan:
            alert?.type === 'DeploymentPlacementFailed'
              ? { ...plan, alert: alert.data.reason }
              : plan,
        }
      : {}),
    recorded: events.map((e) => e.type),
  };
};

const positiveWave = (wave: number, i: number): number => {
  if (!Number.isInteger(wave) || wave < 1)
    throw new ValidationError(
      `workloads[${i}].wave`,
      `A wave is a whole number from 1; got ${wave}.`,
    );
  return wave;
};

type Rpcs = pb.DeploymentPlanServiceController;

/** The deployment plan's commands and its query. */
@Controller()
export class DeploymentPlanGrpcController implements Rpcs {
  constructor(
    private readonly plans: DeploymentPlanUseCases,
    private readonly contexts: CommandContexts,
  ) {}

  @GrpcMethod(DEPLOYMENT_PLAN_SERVICE, 'placeReleaseScope')
  @RequirePermission('scheduling:write')
  async placeReleaseScope(
    request: pb.PlaceReleaseScopeRequest,
    metadata: Metadata,
  ): Promise<pb.PlaceReleaseScopeResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    return answer(
      await this.plans.placeReleaseScope(
        {
          releaseId: request.releaseId,
          trainId: request.trainId,
          workloads: request.workloads.map((w) => ({
            workloadId: w.workloadId,
            team: w.team,
            jobSize: w.jobSize,
            changeType: w.changeType,
          })),
          deploymentOrder: request.workloads.map((w, i) => ({
            workloadId: w.workloadId,
            wave: positiveWave(w.wave || 1, i),
          })),
          committedAt: request.committedAt,
        },
        ctx,
      ),
    );
  }

  @GrpcMethod(DEPLOYMENT_PLAN_SERVICE, 'replaceDeployments')
  @RequirePermission('scheduling:write')
  async replaceDeployments(
    request: pb.ReplaceDeploymentsRequest,
    metadata: Metadata,
  ): Promise<pb.ReplaceDeploymentsResponse> {
    const kind = TRIGGERS.find((t) => t === request.triggerKind);
    if (!kind)
      throw new ValidationError(
        'trigger_kind',
        `trigger_kind must be one of ${TRIGGERS.join(', ')}; got ${request.triggerKind}.`,
      );
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    return answer(
      await this.plans.replaceDeployments(request.releaseId, { kind, id: request.triggerId }, ctx),
    );
  }

  @GrpcMethod(DEPLOYMENT_PLAN_SERVICE, 'recordDeploymentStarted')
  @RequirePermission('scheduling:write')
  async recordDeploymentStarted(
    request: pb.RecordDeploymentStartedRequest,
    metadata: Metadata,
  ): Promise<pb.RecordDeploymentStartedResponse> {
    const ctx = this.contexts.forGrpc(metadata);
    return answer(
      await this.plans.recordStarted(
        {
          releaseId: request.releaseId,
          deploymentId: request.deploymentId,
          startedAt: request.startedAt,
        },
        ctx,
      ),
    );
  }

  @GrpcMethod(DEPLOYMENT_PLAN_SERVICE, 'recordDeploymentFinished')
  @RequirePermission('scheduling:write')
  async recordDeploymentFinished(
    request: pb.RecordDeploymentFinishedRequest,
    metadata: Metadata,
  ): Promise<pb.RecordDeploymentFinishedResponse> {
    const outcome = DEPLOYMENT_OUTCOMES.find((o): o is DeploymentOutcome => o === request.outcome);
    if (!outcome)
      throw new ValidationError(
        'outcome',
        `outcome must be one of ${DEPLOYMENT_OUTCOMES.join(', ')}; got ${request.outcome}.`,
      );
    const ctx = this.contexts.forGrpc(metadata);
    return answer(
      await this.plans.recordFinished(
        {
          releaseId: request.releaseId,
          deploymentId: request.deploymentId,
          finishedAt: request.finishedAt,
          outcome,
        },
        ctx,
      ),
    );
  }

  @GrpcMethod(DEPLOYMENT_PLAN_SERVICE, 'getDeploymentPlan')
  @RequirePermission('scheduling:read')
  async getDeploymentPlan(
    request: pb.GetDeploymentPlanRequest,
  ): Promise<pb.GetDeploymentPlanResponse> {
    if (request.releaseId.trim() === '')
      throw new ValidationError('release_id', 'release_id is required.');
    const state = await this.plans.load(request.releaseId);
    const plan = planOf(state);
    if (!plan) throw new NotFoundError('deployment plan', request.releaseId);
    return { plan, recorded: [] };
  }
}
