import { Inject, Injectable } from '@nestjs/common';
import { commandMetadata, type CommandContext } from '@trainyard/event-store';
import {
  allocatableRelease,
  releaseDecider,
  workloadDecider,
  type CapacityEstimate,
  type Plan,
  type PlanningPolicy,
  type Release,
  type ReleaseClosed,
  type ReleaseCommand,
  type ReleaseWindow,
  type RequestEmergencyPatch,
  type ScopeException,
} from '@trainyard/planning-domain';
import { PLANNING_POLICY } from '../../config/planning-policy';
import { PlanningCommandHandler } from '../planning-command-handler';
import { releaseStream, workloadStream } from '../planning-streams';
import { ReleaseAllocation } from '../release-allocation';
import { requireText } from '../required-text';

export type ScopeChangeKind = 'include' | 'exclude';

export interface CommitOutcome {
  readonly release: Release;
  readonly plan?: Plan;
  readonly warnings: readonly string[];
}

/**
 * The release use cases: map → handleCommand → answer. Consequences on workloads are the
 * release → workload reactions (release-reactions.ts), not steps of these methods.
 */
@Injectable()
export class ReleaseUseCases {
  constructor(
    private readonly commands: PlanningCommandHandler,
    private readonly allocation: ReleaseAllocation,
    @Inject(PLANNING_POLICY) private readonly policy: PlanningPolicy,
  ) {}

  private decide(
    releaseId: string,
    command: ReleaseCommand,
    ctx: CommandContext,
    workloadId?: string,
  ) {
    return this.withWorkload(workloadId).then((workload) =>
      this.commands.handle(releaseStream(releaseId), releaseDecider, command, ctx, {
        context: { policy: this.policy, ...(workload ? { workload } : {}) },
      }),
    );
  }

  private async withWorkload(workloadId: string | undefined) {
    if (!workloadId) return undefined;
    return (await this.commands.load(workloadStream(workloadId), workloadDecider)).state;
  }

  async plan(releaseId: string, trainId: string, window: ReleaseWindow, ctx: CommandContext) {
    const data = { releaseId, trainId, window };
    return (
      await this.decide(
        releaseId,
        { type: 'PlanRelease', data, metadata: commandMetadata(ctx) },
        ctx,
      )
    ).state;
  }

  async negotiateScope(
    releaseId: string,
    workloadId: string,
    change: ScopeChangeKind,
    ctx: CommandContext,
  ) {
    requireText('release_id', releaseId);
    const type = change === 'include' ? 'IncludeWorkload' : 'ExcludeWorkload';
    const command = {
      type,
      data: { releaseId, workloadId },
      metadata: commandMetadata(ctx),
    } as const;
    return { changed: (await this.decide(releaseId, command, ctx)).events.length > 0 };
  }

  /** The allocation a commit would record now; stores nothing. */
  async preview(releaseId: string): Promise<{ plan: Plan; capacity: CapacityEstimate }> {
    const loaded = await this.commands.load(
      releaseStream(requireText('release_id', releaseId)),
      releaseDecider,
    );
    return this.allocation.allocate(allocatableRelease(loaded.state, releaseId));
  }

  async commitScope(releaseId: string, ctx: CommandContext): Promise<CommitOutcome> {
    let plan: Plan | undefined;
    const handled = await this.commands.handle(
      releaseStream(requireText('release_id', releaseId)),
      releaseDecider,
      async (state: Release): Promise<ReleaseCommand> => {
        plan =
          state.status === 'Planning' ? (await this.allocation.allocate(state)).plan : undefined;
        return {
          type: 'CommitScope',
          data: { releaseId, ...(plan ? { plan } : {}) },
          metadata: commandMetadata(ctx),
        };
      },
      ctx,
      { context: { policy: this.policy } },
    );
    const committed = handled.events.length > 0 && plan;
    return { release: handled.state, ...(committed ? { plan } : {}), warnings: handled.warnings };
  }

  async requestScopeException(
    releaseId: string,
    workloadId: string,
    change: ScopeChangeKind,
    exception: ScopeException,
    ctx: CommandContext,
  ): Promise<{ changed: boolean; release: Release }> {
    requireText('release_id', releaseId);
    requireText('workload_id', workloadId);
    requireText('reason', exception.reason);
    requireText('approver', exception.approver);
    const type = change === 'include' ? 'IncludeWorkload' : 'ExcludeWorkload';
    const data = { releaseId, workloadId, exception };
    const command = { type, data, metadata: commandMetadata(ctx, exception.reason) } as const;
    const handled = await this.decide(releaseId, command, ctx, workloadId);
    return { changed: handled.events.length > 0, release: handled.state };
  }

  /** Empty team, 0 job size, no severity or incident: the workload's profile (decided by the domain). */
  async requestEmergencyPatch(
    data: RequestEmergencyPatch['data'],
    ctx: CommandContext,
  ): Promise<Release> {
    requireText('release_id', data.releaseId);
    requireText('workload_id', data.workloadId);
    const command = {
      type: 'RequestEmergencyPatch',
      data,
      metadata: commandMetadata(ctx),
    } as const;
    return (await this.decide(data.releaseId, command, ctx, data.workloadId)).state;
  }

  async close(
    releaseId: string,
    completed: readonly { readonly workloadId: string; readonly jobSize: number }[],
    ctx: CommandContext,
  ): Promise<{ release: Release; closed?: ReleaseClosed['data']; warnings: readonly string[] }> {
    requireText('release_id', releaseId);
    const command = {
      type: 'CloseRelease',
      data: { releaseId, completed },
      metadata: commandMetadata(ctx),
    } as const;
    const handled = await this.decide(releaseId, command, ctx);
    const closed = handled.events.find((e): e is ReleaseClosed => e.type === 'ReleaseClosed');
    return {
      release: handled.state,
      ...(closed ? { closed: closed.data } : {}),
      warnings: handled.warnings,
    };
  }

  async cancel(
    releaseId: string,
    ctx: CommandContext,
  ): Promise<{ release: Release; returned: readonly string[] }> {
    requireText('release_id', releaseId);
    const command = {
      type: 'CancelRelease',
      data: { releaseId },
      metadata: commandMetadata(ctx),
    } as const;
    const handled = await this.decide(releaseId, command, ctx);
    const cancelled = handled.events.find((e) => e.type === 'ReleaseCancelled');
    return {
      release: handled.state,
      returned: cancelled?.type === 'ReleaseCancelled' ? cancelled.data.workloadIds : [],
    };
  }
}
