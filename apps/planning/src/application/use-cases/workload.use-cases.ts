import { Inject, Injectable } from '@nestjs/common';
import { commandMetadata, type CommandContext } from '@trainyard/event-store';
import {
  workloadDecider,
  type PlanningPolicy,
  type RegisterWorkloadData,
  type Workload,
} from '@trainyard/planning-domain';
import { evolveWorkloadRow, type WorkloadRow } from '@trainyard/planning-read-models';
import { PLANNING_POLICY } from '../../config/planning-policy';
import { PlanningCommandHandler } from '../planning-command-handler';
import { workloadStream } from '../planning-streams';
import { DecisionInputs } from '../decision-inputs';
import { PlanningQueries } from '../planning.queries';
import { requireText } from '../required-text';

/** RegisterWorkload and WithdrawWorkload. */
@Injectable()
export class WorkloadUseCases {
  constructor(
    private readonly commands: PlanningCommandHandler,
    private readonly queries: PlanningQueries,
    private readonly inputs: DecisionInputs,
    @Inject(PLANNING_POLICY) private readonly policy: PlanningPolicy,
  ) {}

  /** Answers with the row the read model will hold, folded from the recorded events. */
  async register(data: RegisterWorkloadData, ctx: CommandContext): Promise<WorkloadRow> {
    const context = {
      policy: this.policy,
      knownDependencies: await this.inputs.dependencyClosure(data.dependsOn),
      apiLifecycles: await this.queries.apiLifecycles((data.consumedApis ?? []).map((c) => c.api)),
    };
    const command = { type: 'RegisterWorkload', data, metadata: commandMetadata(ctx) } as const;
    const handled = await this.commands.handle(
      workloadStream(data.workloadId),
      workloadDecider,
      command,
      ctx,
      { context, expectNew: true },
    );
    const row = handled.events.reduce<WorkloadRow | undefined>(
      (current, event, i) =>
        evolveWorkloadRow(current, {
          event,
          streamVersion: handled.loadedVersion + i + 1,
          actor: ctx.actor,
          ...(ctx.reason ? { reason: ctx.reason } : {}),
        }),
      undefined,
    );
    if (!row) throw new Error(`registering ${data.workloadId} produced no event`);
    return row;
  }

  async withdraw(workloadId: string, ctx: CommandContext): Promise<Workload> {
    const command = {
      type: 'WithdrawWorkload',
      data: { workloadId: requireText('workload_id', workloadId) },
      metadata: commandMetadata(ctx),
    } as const;
    const handled = await this.commands.handle(
      workloadStream(workloadId),
      workloadDecider,
      command,
      ctx,
      {
        context: { policy: this.policy },
      },
    );
    return handled.state;
  }
}
