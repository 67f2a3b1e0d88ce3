import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  loadStream,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import { ValidationError } from '@trainyard/kernel';
import { EVENT_STORE } from '@trainyard/platform';
import {
  deploymentPlanDecider,
  releasesToReplace,
  slotPlacementOver,
  targetFor,
  type DeploymentOutcome,
  type DeploymentPlan,
  type DeploymentPlanCommand,
  type DeploymentPlanDecisionContext,
  type DeploymentPlanEvent,
  type DurationPolicy,
  type PlaceReleaseScopeData,
  type ReleaseTargetPolicy,
  type RescheduleTrigger,
} from '@trainyard/scheduling-domain';
import { DURATION_POLICY, RELEASE_TARGET_POLICY } from '../config/deployment-policies';
import { SchedulingReadSide } from '../projections/scheduling-read-side';
import { DeploymentQueries } from './deployment.queries';
import { deploymentPlanStream } from './deployment-plan-streams';
import { FreezeOverrideUseCases } from './freeze-override.use-cases';
import {
  PLACEMENT_INPUTS,
  type AssembledPlacement,
  type PlacementInputsPort,
} from './placement-inputs.port';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface PlanAnswer {
  readonly state: DeploymentPlan;
  readonly events: readonly DeploymentPlanEvent[];
}

/** PlaceReleaseScope, ReplaceDeployments, RecordDeploymentStarted and RecordDeploymentFinished. */
@Injectable()
export class DeploymentPlanUseCases {
  private readonly logger = new Logger('DeploymentPlanUseCases');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readSide: SchedulingReadSide,
    private readonly queries: DeploymentQueries,
    @Inject(PLACEMENT_INPUTS) private readonly inputs: PlacementInputsPort,
    @Inject(DURATION_POLICY) private readonly durations: DurationPolicy,
    @Inject(RELEASE_TARGET_POLICY) private readonly targets: ReleaseTargetPolicy,
    private readonly overrides: FreezeOverrideUseCases,
  ) {}

  private async decisionContext(
    from: number,
    to: number,
  ): Promise<DeploymentPlanDecisionContext & { readonly calendar: AssembledPlacement }> {
    const [calendar, actualMinutes] = await Promise.all([
      this.inputs.assemble({ from, to }),
      this.queries.actualMinutesByType(),
    ]);
    return {
      targets: this.targets,
      durations: this.durations,
      actualMinutes,
      placeSlot: slotPlacementOver(calendar),
      calendar,
    };
  }

  /**
   * Every use of an override is an event: each slot just placed (DeploymentScheduled or
   * DeploymentRescheduled) that lies inside a freeze lifted by an active override records that
   * use on the override, caused by the placement event. The overrides are the ones placement
   * decided with. A refused use (the override expired meanwhile) is logged; the plan stands.
   */
  private async recordOverrideUses(
    answer: PlanAnswer & { readonly eventIds: readonly string[] },
    calendar: AssembledPlacement,
    ctx: CommandContext,
  ): Promise<void> {
    const cover = calendar.coveringOverride;
    if (!cover || !calendar.freezes?.length) return;
    const trainId = answer.state.status === 'Unplanned' ? undefined : answer.state.trainId;
    for (const [i, event] of answer.events.entries()) {
      if (event.type !== 'DeploymentScheduled' && event.type !== 'DeploymentRescheduled') continue;
      const train = event.type === 'DeploymentScheduled' ? event.data.trainId : trainId;
      if (train === undefined) continue;
      for (const slot of event.data.deployments) {
        const interval = { start: Date.parse(slot.start), end: Date.parse(slot.end) };
        const subject = {
          train,
          team: slot.team,
          environment: slot.environment,
          components: slot.components,
        };
        for (const freeze of calendar.freezes) {
          if (freeze.start >= interval.end || freeze.end <= interval.start) continue;
          const override = cover(freeze, interval, subject);
          if (!override) continue;
          try {
            await this.overrides.handle(
              'RecordFreezeOverrideUse',
              {
                overrideId: override.overrideId,
                deploymentId: slot.deploymentId,
                start: slot.start,
                end: slot.end,
                scope: {
                  trains: [train],
                  teams: [slot.team],
                  environments: [slot.environment],
                  components: [...slot.components],
                },
              },
              { ...ctx, ...(answer.eventIds[i] ? { causationId: answer.eventIds[i] } : {}) },
            );
          } catch (error) {
            this.logger.warn(
              `The use of freeze override ${override.overrideId} by deployment ${slot.deploymentId} was not recorded: ${(error as Error).message}`,
            );
          }
        }
      }
    }
  }

  private async handle(
    releaseId: string,
    command: DeploymentPlanCommand,
    ctx: CommandContext,
    context: DeploymentPlanDecisionContext,
    calendar?: AssembledPlacement,
  ): Promise<PlanAnswer> {
    const handled = await handleCommand(
      this.store,
      deploymentPlanStream(releaseId),
      deploymentPlanDecider,
      command,
      ctx,
      {
        context,
        // a consumed event carries its id as the causation: a redelivery decides nothing twice
        ...(ctx.causationId ? { oncePerCausation: true } : {}),
        onAppended: (result) =>
          this.readSide.recordWrite({
            transactionId: result.transactionId,
            position: result.lastPosition,
          }),
      },
    );
    const answer = { state: handled.state, events: handled.events };
    if (calendar)
      await this.recordOverrideUses({ ...answer, eventIds: handled.eventIds }, calendar, ctx);
    return answer;
  }

  async placeReleaseScope(data: PlaceReleaseScopeData, ctx: CommandContext): Promise<PlanAnswer> {
    const committed = Date.parse(data.committedAt);
    if (Number.isNaN(committed))
      throw new ValidationError(
        'committedAt',
        `committedAt must be an ISO-8601 instant; got ${data.committedAt}.`,
      );
    const target = targetFor(data.trainId, this.targets);
    const context = await this.decisionContext(
      committed + target.leadMinutes * MINUTE_MS,
      committed + target.deadlineDays * DAY_MS,
    );
    return this.handle(
      data.releaseId,
      { type: 'PlaceReleaseScope', data, metadata: commandMetadata(ctx) },
      ctx,
      context,
      context.calendar,
    );
  }

  async replaceDeployments(
    releaseId: string,
    trigger: RescheduleTrigger,
    ctx: CommandContext,
  ): Promise<PlanAnswer> {
    const { state } = await loadStream(
      this.store,
      deploymentPlanStream(releaseId),
      deploymentPlanDecider,
    );
    const now = Date.parse(ctx.now);
    const deadline = state.status === 'Unplanned' ? now : Date.parse(state.deadline);
    const context = await this.decisionContext(now, Math.max(now, deadline));
    return this.handle(
      releaseId,
      { type: 'ReplaceDeployments', data: { releaseId, trigger }, metadata: commandMetadata(ctx) },
      ctx,
      context,
      context.calendar,
    );
  }

  /**
   * Rescheduling (issue 11 item 4): a freeze defined or revised, or an override expired. Finds the
   * not-yet-started deployments whose slots now fall inside a freeze no active override covers
   * (placement's own freeze rule over the assembled calendar) and re-places each affected release
   * with the trigger as the reason. For a freeze, only that freeze counts.
   */
  async rescheduleAffected(
    trigger: RescheduleTrigger,
    ctx: CommandContext,
  ): Promise<{ releaseId: string; answer: PlanAnswer }[]> {
    const now = Date.parse(ctx.now);
    await this.readSide.catchUp();
    const rows = (
      await this.queries.scheduledBetween(new Date(now).toISOString(), '9999-12-31T00:00:00Z')
    ).filter((r) => r.status === 'scheduled');
    if (rows.length === 0) return [];
    const slots = rows.map((r) => ({
      deploymentId: r.deploymentId,
      releaseId: r.releaseId,
      train: r.trainId,
      team: r.team,
      environment: r.environment,
      components: r.components,
      ...(r.owner === null ? {} : { owner: r.owner }),
      start: Date.parse(r.startAt),
      end: Date.parse(r.endAt),
    }));
    const calendar = await this.inputs.assemble({
      from: Math.min(...slots.map((s) => s.start)),
      to: Math.max(...slots.map((s) => s.end)),
    });
    const affected = releasesToReplace(
      slots,
      calendar,
      trigger.kind === 'freeze-added' ? trigger.id : undefined,
    );
    const answers: { releaseId: string; answer: PlanAnswer }[] = [];
    for (const { releaseId } of affected)
      answers.push({ releaseId, answer: await this.replaceDeployments(releaseId, trigger, ctx) });
    return answers;
  }

  async load(releaseId: string): Promise<DeploymentPlan> {
    return (await loadStream(this.store, deploymentPlanStream(releaseId), deploymentPlanDecider))
      .state;
  }

  /** Recording progress needs no calendar: the context's placement is never asked. */
  private progressContext(): DeploymentPlanDecisionContext {
    return {
      targets: this.targets,
      durations: this.durations,
      actualMinutes: {},
      placeSlot: () => ({
        status: 'unplaced',
        rule: 'deadline',
        message: 'Not placing.',
        rejected: [],
      }),
    };
  }

  recordStarted(
    data: { releaseId: string; deploymentId: string; startedAt: string },
    ctx: CommandContext,
  ): Promise<PlanAnswer> {
    return this.handle(
      data.releaseId,
      { type: 'RecordDeploymentStarted', data, metadata: commandMetadata(ctx) },
      ctx,
      this.progressContext(),
    );
  }

  recordFinished(
    data: {
      releaseId: string;
      deploymentId: string;
      finishedAt: string;
      outcome: DeploymentOutcome;
    },
    ctx: CommandContext,
  ): Promise<PlanAnswer> {
    return this.handle(
      data.releaseId,
      { type: 'RecordDeploymentFinished', data, metadata: commandMetadata(ctx) },
      ctx,
      this.progressContext(),
    );
  }
}
