import { Inject, Injectable, Logger } from '@nestjs/common';
import { isWrongExpectedVersion, type EventStore } from '@trainyard/event-store';
import { NotFoundError, RuleViolation, ValidationError, isDomainError } from '@trainyard/kernel';
import { EVENT_STORE } from '@trainyard/platform';
import {
  allocate,
  apiVersionDecider,
  capacityFromHistory,
  completeWorkload,
  deferWorkload,
  evolveRelease,
  evolveWorkload,
  initialRelease,
  initialWorkload,
  planWorkload,
  quarterToDate,
  releaseDecider,
  workloadDecider,
  type ApiVersion,
  type ApiVersionEvent,
  type CapacityEstimate,
  type DeprecateApiVersion,
  type Plan,
  type PlanningPolicy,
  type RegisterWorkloadData,
  type Release,
  type ReleaseClosed,
  type ReleaseEvent,
  type ReleaseWindow,
  type Workload,
  type WorkloadEvent,
} from '@trainyard/planning-domain';
import { evolveWorkloadRow, type WorkloadRow } from '@trainyard/planning-read-models';
import { PLANNING_POLICY } from '../config/planning-policy';
import { PlanningReadSide } from '../projections/planning-read-side';
import {
  EventStreams,
  domainMetadata,
  apiVersionStream,
  releaseStream,
  workloadStream,
  type Appended,
  type CommandContext,
  type Loaded,
} from './event-streams';
import { PlanningQueries, candidateOf } from './planning.queries';

export type ScopeChangeKind = 'include' | 'exclude';

export interface CommitOutcome {
  readonly release: Release;
  readonly plan?: Plan;
  readonly warnings: readonly string[];
}

const loadWorkload = (streams: EventStreams, workloadId: string) =>
  streams.load<Workload, WorkloadEvent>(
    workloadStream(workloadId),
    evolveWorkload,
    initialWorkload,
  );

const loadRelease = (streams: EventStreams, releaseId: string) =>
  streams.load<Release, ReleaseEvent>(releaseStream(releaseId), evolveRelease, initialRelease);

const requireText = (field: string, value: string): string => {
  if (!value.trim()) throw new ValidationError(field, `${field} is required`);
  return value;
};

/**
 * The planning use cases: load a stream, let the domain decide, append at the loaded version.
 * Release decisions that change workloads (commit, exception, emergency patch, close, cancel)
 * record the consequence on each workload's own stream afterwards, caused by the release event.
 */
@Injectable()
export class PlanningCommands {
  private readonly streams: EventStreams;
  private readonly logger = new Logger('PlanningCommands');

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly readSide: PlanningReadSide,
    private readonly queries: PlanningQueries,
    @Inject(PLANNING_POLICY) private readonly policy: PlanningPolicy,
  ) {
    this.streams = new EventStreams(store, (result) =>
      readSide.recordWrite({ transactionId: result.transactionId, position: result.lastPosition }),
    );
  }

  async registerWorkload(data: RegisterWorkloadData, ctx: CommandContext): Promise<WorkloadRow> {
    const knownDependencies = await this.queries.dependencyClosure(data.dependsOn);
    const apiLifecycles = await this.queries.apiLifecycles(
      (data.consumedApis ?? []).map((c) => c.api),
    );
    const decide = (state: Workload) =>
      workloadDecider.decide(
        { type: 'RegisterWorkload', data, metadata: domainMetadata(ctx) },
        state,
        {
          policy: this.policy,
          knownDependencies,
          apiLifecycles,
        },
      );
    const { loaded, appended } = await this.appendAssumingNewStream(data.workloadId, decide, ctx);
    let row: WorkloadRow | undefined;
    appended.events.forEach((event, i) => {
      row = evolveWorkloadRow(row, {
        event,
        streamVersion: loaded.version + i + 1,
        actor: ctx.actor,
        ...(ctx.reason ? { reason: ctx.reason } : {}),
      });
    });
    if (!row) throw new Error(`registering ${data.workloadId} produced no event`);
    return row;
  }

  /**
   * A registration almost always creates its stream, so it is decided on the initial state and
   * appended as 'no_stream' without reading first (one round trip less per command). Only when the
   * stream exists (WrongExpectedVersion), or the decision on the initial state is refused, is the
   * stream loaded and the command decided again on its real state, so the caller gets exactly the
   * answer a load-then-decide would give (e.g. the domain's "already registered" conflict).
   */
  private async appendAssumingNewStream(
    workloadId: string,
    decide: (state: Workload) => readonly WorkloadEvent[],
    ctx: CommandContext,
  ): Promise<{ loaded: Loaded<Workload>; appended: Appended<WorkloadEvent> }> {
    const fresh: Loaded<Workload> = {
      streamId: workloadStream(workloadId),
      state: initialWorkload(),
      version: 0,
    };
    let events: readonly WorkloadEvent[] | undefined;
    try {
      events = decide(fresh.state);
    } catch {
      events = undefined;
    }
    if (events && events.length > 0) {
      try {
        return { loaded: fresh, appended: await this.streams.append(fresh, events, ctx) };
      } catch (error) {
        if (!isWrongExpectedVersion(error)) throw error;
      }
    }
    const loaded = await loadWorkload(this.streams, workloadId);
    return { loaded, appended: await this.streams.append(loaded, decide(loaded.state), ctx) };
  }

  async deprecateApiVersion(
    data: DeprecateApiVersion['data'],
    ctx: CommandContext,
  ): Promise<{ lifecycle: ApiVersion; changed: boolean }> {
    const loaded = await this.streams.load<ApiVersion, ApiVersionEvent>(
      apiVersionStream(data.api, data.version),
      apiVersionDecider.evolve,
      apiVersionDecider.initialState,
    );
    const events = apiVersionDecider.decide(
      { type: 'DeprecateApiVersion', data, metadata: domainMetadata(ctx) },
      loaded.state,
    );
    await this.streams.append(loaded, events, ctx);
    return {
      lifecycle: events.reduce(apiVersionDecider.evolve, loaded.state),
      changed: events.length > 0,
    };
  }

  async withdrawWorkload(workloadId: string, ctx: CommandContext): Promise<Workload> {
    const loaded = await loadWorkload(this.streams, requireText('workload_id', workloadId));
    const events = workloadDecider.decide(
      { type: 'WithdrawWorkload', data: { workloadId }, metadata: domainMetadata(ctx) },
      loaded.state,
    );
    await this.streams.append(loaded, events, ctx);
    return events.reduce(evolveWorkload, loaded.state);
  }

  async planRelease(
    releaseId: string,
    trainId: string,
    window: ReleaseWindow,
    ctx: CommandContext,
  ): Promise<Release> {
    return this.decideRelease(releaseId, ctx, (state) =>
      releaseDecider.decide(
        {
          type: 'PlanRelease',
          data: { releaseId, trainId, window },
          metadata: domainMetadata(ctx),
        },
        state,
        {
          policy: this.policy,
        },
      ),
    );
  }

  async negotiateScope(
    releaseId: string,
    workloadId: string,
    change: ScopeChangeKind,
    ctx: CommandContext,
  ): Promise<{ changed: boolean }> {
    const loaded = await loadRelease(this.streams, requireText('release_id', releaseId));
    const metadata = domainMetadata(ctx);
    const events =
      change === 'include'
        ? releaseDecider.decide(
            { type: 'IncludeWorkload', data: { releaseId, workloadId }, metadata },
            loaded.state,
            { policy: this.policy },
          )
        : releaseDecider.decide(
            { type: 'ExcludeWorkload', data: { releaseId, workloadId }, metadata },
            loaded.state,
            { policy: this.policy },
          );
    await this.streams.append(loaded, events, ctx);
    return { changed: events.length > 0 };
  }

  /** The allocation a commit would record now; stores nothing. */
  async previewAllocation(releaseId: string): Promise<{ plan: Plan; capacity: CapacityEstimate }> {
    const loaded = await loadRelease(this.streams, requireText('release_id', releaseId));
    const release = loaded.state;
    if (release.status === 'Unplanned') throw new NotFoundError('release', releaseId);
    if (release.status !== 'Planning')
      throw new RuleViolation(
        'release-in-planning',
        `release ${releaseId} is ${release.status}; only a release in planning is allocated`,
      );
    return this.allocateFor(release);
  }

  async commitScope(releaseId: string, ctx: CommandContext): Promise<CommitOutcome> {
    const loaded = await loadRelease(this.streams, requireText('release_id', releaseId));
    const current = loaded.state;
    if (current.status !== 'Planning') {
      // Decided by the domain: [] when already committed (a retry), else the refusal.
      const events = releaseDecider.decide(
        {
          type: 'CommitScope',
          data: { releaseId, plan: emptyPlan(releaseId, current) },
          metadata: domainMetadata(ctx),
        },
        current,
      );
      if (events.length > 0) throw new Error('commit of a release not in planning produced events');
      const warnings: string[] = [];
      if (current.status === 'ScopeCommitted' && current.kind === 'train') {
        // A retried commit completes the follow-up a crash may have cut short.
        for (const item of current.scope.filter((s) => !s.unplanned)) {
          await this.followUp(
            item.workloadId,
            ctx,
            undefined,
            `committed in release ${releaseId}`,
            warnings,
            (state, metadata) =>
              planWorkload(
                {
                  type: 'PlanWorkload',
                  data: { workloadId: item.workloadId, releaseId },
                  metadata,
                },
                state,
              ),
          );
        }
      }
      return { release: current, warnings };
    }
    const { plan } = await this.allocateFor(current);
    const events = releaseDecider.decide(
      { type: 'CommitScope', data: { releaseId, plan }, metadata: domainMetadata(ctx) },
      current,
    );
    const appended = await this.streams.append(loaded, events, ctx);
    const causationId = appended.eventIds[0];
    const warnings: string[] = [];
    for (const entry of plan.entries) {
      if (entry.decision === 'included') {
        await this.followUp(
          entry.workloadId,
          ctx,
          causationId,
          entry.reason,
          warnings,
          (state, metadata) =>
            planWorkload(
              { type: 'PlanWorkload', data: { workloadId: entry.workloadId, releaseId }, metadata },
              state,
            ),
        );
      } else {
        await this.followUp(
          entry.workloadId,
          ctx,
          causationId,
          entry.reason,
          warnings,
          (state, metadata) =>
            deferWorkload(
              {
                type: 'DeferWorkload',
                data: { workloadId: entry.workloadId, releaseId, reason: entry.reason },
                metadata,
              },
              state,
            ),
        );
      }
    }
    return { release: events.reduce(evolveRelease, current), plan, warnings };
  }

  async requestScopeException(
    releaseId: string,
    workloadId: string,
    change: ScopeChangeKind,
    exception: { readonly reason: string; readonly approver: string },
    ctx: CommandContext,
  ): Promise<{ changed: boolean; release: Release }> {
    requireText('release_id', releaseId);
    requireText('workload_id', workloadId);
    requireText('reason', exception.reason);
    requireText('approver', exception.approver);
    const loaded = await loadRelease(this.streams, releaseId);
    const workload = await loadWorkload(this.streams, workloadId);
    if (workload.state.status === 'Unregistered') throw new NotFoundError('workload', workloadId);
    const profile = workload.state.profile;
    const metadata = domainMetadata(ctx, exception.reason);
    const followReason =
      change === 'include'
        ? `scope exception approved by ${exception.approver}: ${exception.reason}`
        : `excluded from ${releaseId} by scope exception approved by ${exception.approver}: ${exception.reason}`;
    const followUp = (state: Workload) =>
      change === 'include'
        ? planWorkload({ type: 'PlanWorkload', data: { workloadId, releaseId }, metadata }, state)
        : deferWorkload(
            {
              type: 'DeferWorkload',
              data: { workloadId, releaseId, reason: followReason },
              metadata,
            },
            state,
          );
    const committed = loaded.state.status === 'ScopeCommitted';
    // Refuse before anything is written when the workload's side would refuse (e.g. planned elsewhere).
    if (
      committed &&
      (change === 'include' ||
        (loaded.state.status === 'ScopeCommitted' &&
          loaded.state.scope.some((s) => s.workloadId === workloadId)))
    )
      followUp(workload.state);
    const events =
      change === 'include'
        ? releaseDecider.decide(
            {
              type: 'IncludeWorkload',
              data: {
                releaseId,
                workloadId,
                team: profile.team,
                jobSize: profile.jobSize,
                exception,
              },
              metadata,
            },
            loaded.state,
            { policy: this.policy },
          )
        : releaseDecider.decide(
            { type: 'ExcludeWorkload', data: { releaseId, workloadId, exception }, metadata },
            loaded.state,
            {
              policy: this.policy,
            },
          );
    const appended = await this.streams.append(loaded, events, ctx, { reason: exception.reason });
    if (committed && events.length > 0) {
      const causationId = appended.eventIds[appended.eventIds.length - 1];
      const warnings: string[] = [];
      await this.followUp(workloadId, ctx, causationId, followReason, warnings, (state) =>
        followUp(state),
      );
      if (warnings.length > 0) this.logger.warn(warnings.join('; '));
    }
    return { changed: events.length > 0, release: events.reduce(evolveRelease, loaded.state) };
  }

  async requestEmergencyPatch(
    request: {
      readonly releaseId: string;
      readonly trackId: string;
      readonly workloadId: string;
      readonly team: string;
      readonly jobSize: number;
      readonly severity: number;
      readonly linkedIncident: string;
      readonly approver: string;
    },
    ctx: CommandContext,
  ): Promise<Release> {
    const { releaseId, workloadId } = request;
    requireText('release_id', releaseId);
    requireText('workload_id', workloadId);
    const workload = await loadWorkload(this.streams, workloadId);
    const profile = workload.state.status === 'Unregistered' ? undefined : workload.state.profile;
    const metadata = domainMetadata(ctx);
    if (workload.state.status !== 'Unregistered')
      planWorkload(
        { type: 'PlanWorkload', data: { workloadId, releaseId }, metadata },
        workload.state,
      );
    const severity = request.severity || profile?.severity;
    const linkedIncident = request.linkedIncident || profile?.linkedIncident;
    const loaded = await loadRelease(this.streams, releaseId);
    const events = releaseDecider.decide(
      {
        type: 'RequestEmergencyPatch',
        data: {
          releaseId,
          trackId: request.trackId,
          workloadId,
          team: request.team || profile?.team || '',
          jobSize: request.jobSize || profile?.jobSize || 0,
          ...(severity ? { severity } : {}),
          ...(linkedIncident ? { linkedIncident } : {}),
          ...(request.approver ? { approver: request.approver } : {}),
        },
        metadata,
      },
      loaded.state,
      { policy: this.policy },
    );
    const appended = await this.streams.append(loaded, events, ctx);
    if (profile && events.length > 0) {
      const warnings: string[] = [];
      await this.followUp(
        workloadId,
        ctx,
        appended.eventIds[0],
        `emergency patch release ${releaseId}`,
        warnings,
        (state, m) =>
          planWorkload(
            { type: 'PlanWorkload', data: { workloadId, releaseId }, metadata: m },
            state,
          ),
      );
      if (warnings.length > 0) this.logger.warn(warnings.join('; '));
    }
    return events.reduce(evolveRelease, loaded.state);
  }

  async closeRelease(
    releaseId: string,
    completed: readonly { readonly workloadId: string; readonly jobSize: number }[],
    ctx: CommandContext,
  ): Promise<{ release: Release; closed?: ReleaseClosed['data']; warnings: readonly string[] }> {
    const loaded = await loadRelease(this.streams, requireText('release_id', releaseId));
    const scope = loaded.state.status === 'ScopeCommitted' ? loaded.state.scope : [];
    const delivered = completed.map((c) => ({
      workloadId: c.workloadId,
      jobSize: c.jobSize || (scope.find((s) => s.workloadId === c.workloadId)?.jobSize ?? 0),
    }));
    const events = releaseDecider.decide(
      {
        type: 'CloseRelease',
        data: { releaseId, completed: delivered },
        metadata: domainMetadata(ctx),
      },
      loaded.state,
    );
    const appended = await this.streams.append(loaded, events, ctx);
    const closed = events.find((e): e is ReleaseClosed => e.type === 'ReleaseClosed');
    const warnings: string[] = [];
    if (closed) {
      const causationId = appended.eventIds[0];
      for (const c of closed.data.completed) {
        await this.followUp(
          c.workloadId,
          ctx,
          causationId,
          undefined,
          warnings,
          (state, metadata) =>
            state.status === 'Unregistered'
              ? []
              : completeWorkload(
                  {
                    type: 'CompleteWorkload',
                    data: { workloadId: c.workloadId, releaseId, completedJobSize: c.jobSize },
                    metadata,
                  },
                  state,
                ),
        );
      }
      const reason = `not completed in release ${releaseId}`;
      for (const workloadId of closed.data.notCompleted) {
        await this.followUp(workloadId, ctx, causationId, reason, warnings, (state, metadata) =>
          state.status === 'Unregistered'
            ? []
            : deferWorkload(
                { type: 'DeferWorkload', data: { workloadId, releaseId, reason }, metadata },
                state,
              ),
        );
      }
    }
    return {
      release: events.reduce(evolveRelease, loaded.state),
      ...(closed ? { closed: closed.data } : {}),
      warnings,
    };
  }

  async cancelRelease(
    releaseId: string,
    ctx: CommandContext,
  ): Promise<{ release: Release; returned: readonly string[] }> {
    const loaded = await loadRelease(this.streams, requireText('release_id', releaseId));
    const events = releaseDecider.decide(
      { type: 'CancelRelease', data: { releaseId }, metadata: domainMetadata(ctx) },
      loaded.state,
    );
    const appended = await this.streams.append(loaded, events, ctx);
    const cancelled = events.find((e) => e.type === 'ReleaseCancelled');
    const returned = cancelled?.type === 'ReleaseCancelled' ? cancelled.data.workloadIds : [];
    const warnings: string[] = [];
    const reason = `release ${releaseId} cancelled: ${ctx.reason ?? ''}`.trim();
    for (const workloadId of returned) {
      await this.followUp(
        workloadId,
        ctx,
        appended.eventIds[0],
        reason,
        warnings,
        (state, metadata) =>
          state.status === 'Unregistered'
            ? []
            : deferWorkload(
                { type: 'DeferWorkload', data: { workloadId, releaseId, reason }, metadata },
                state,
              ),
      );
    }
    if (warnings.length > 0) this.logger.warn(warnings.join('; '));
    return { release: events.reduce(evolveRelease, loaded.state), returned };
  }

  private async decideRelease(
    releaseId: string,
    ctx: CommandContext,
    decide: (state: Release) => readonly ReleaseEvent[],
  ): Promise<Release> {
    const loaded = await loadRelease(this.streams, releaseId);
    const events = decide(loaded.state);
    await this.streams.append(loaded, events, ctx);
    return events.reduce(evolveRelease, loaded.state);
  }

  private async allocateFor(
    release: Extract<Release, { status: 'Planning' }>,
  ): Promise<{ plan: Plan; capacity: CapacityEstimate }> {
    const rows = await this.queries.candidates(release.trainId);
    const candidates = rows.map(candidateOf);
    const ids = new Set(candidates.map((c) => c.workloadId));
    const outside = [...new Set(candidates.flatMap((c) => c.dependsOn))].filter(
      (id) => !ids.has(id),
    );
    const history = await this.queries.history(release.trainId);
    const plan = allocate({
      release: { releaseId: release.releaseId, trainId: release.trainId },
      candidates,
      history,
      policy: this.policy,
      releasedWorkloadIds: await this.queries.released(outside),
      negotiated: release.negotiated,
      // A workload shipping in this window may not consume an API version removed before it opens.
      apiLifecycles: await this.queries.apiLifecycles(),
      asOf: release.window.start,
      quarterToDate: quarterToDate(
        release.window.start,
        await this.queries.committedReleases(release.trainId),
        release.releaseId,
      ),
    });
    const capacity = capacityFromHistory({
      history,
      teams: [...new Set(candidates.map((c) => c.team))],
      trainId: release.trainId,
      policy: this.policy,
    });
    return { plan, capacity };
  }

  /**
   * Records a release decision's consequence on one workload's stream. The release event is
   * already stored, so a refusal here is reported (and logged) rather than failing the command;
   * a concurrent change of the workload is retried once.
   */
  private async followUp(
    workloadId: string,
    ctx: CommandContext,
    causationId: string | undefined,
    reason: string | undefined,
    warnings: string[],
    decide: (
      state: Workload,
      metadata: ReturnType<typeof domainMetadata>,
    ) => readonly WorkloadEvent[],
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const loaded: Loaded<Workload> = await loadWorkload(this.streams, workloadId);
        const events = decide(loaded.state, domainMetadata(ctx, reason));
        await this.streams.append(loaded, events, ctx, {
          ...(causationId ? { causationId } : {}),
          ...(reason ? { reason } : {}),
        });
        return;
      } catch (error) {
        if (isWrongExpectedVersion(error) && attempt < 2) continue;
        if (!isDomainError(error) && !isWrongExpectedVersion(error)) throw error;
        const message = `${workloadId}: ${(error as Error).message}`;
        this.logger.warn(`follow-up on workload stream refused: ${message}`);
        warnings.push(message);
        return;
      }
    }
  }
}

/** A placeholder plan, for letting the domain decide a commit of a release that is not in planning. */
const emptyPlan = (releaseId: string, release: Release): Plan => ({
  releaseId,
  trainId: release.status === 'Unplanned' ? '' : release.trainId,
  policyVersion: '',
  entries: [],
  capacityUsed: 0,
  capacityTotal: 0,
  teams: [],
  techDebt: { reserve: 0, used: 0, returnedToFeatures: 0 },
  alerts: [],
  couplingFlags: [],
  versionSkews: [],
  deprecationFlags: [],
  contractGroups: [],
  deploymentOrder: [],
});
