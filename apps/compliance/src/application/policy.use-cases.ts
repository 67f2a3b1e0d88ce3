import { Inject, Injectable } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  loadStream,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import {
  assertPolicyId,
  policyDecider,
  type Policy,
  type PolicyBundleVersion,
  type PolicyCommand,
  type ProposePolicyBundle,
} from '@trainyard/compliance-domain';
import { NotFoundError } from '@trainyard/kernel';
import { EVENT_STORE } from '@trainyard/platform';
import { ComplianceReadSide } from '../projections/compliance-read-side';
import { policyStream } from './compliance-streams';

/** ProposePolicyBundle, ApprovePolicyBundle, RejectPolicyBundle; and the bundles evaluations use. */
@Injectable()
export class PolicyUseCases {
  /** Proposed versions never change, so a loaded bundle (and its compiled rules) is kept. */
  private readonly bundles = new Map<string, PolicyBundleVersion>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readSide: ComplianceReadSide,
  ) {}

  propose(data: ProposePolicyBundle['data'], ctx: CommandContext) {
    return this.handle(
      data.policyId,
      { type: 'ProposePolicyBundle', data, metadata: commandMetadata(ctx) },
      ctx,
    );
  }

  approve(data: { policyId: string; version: string }, ctx: CommandContext) {
    return this.handle(
      data.policyId,
      { type: 'ApprovePolicyBundle', data, metadata: commandMetadata(ctx) },
      ctx,
    );
  }

  reject(data: { policyId: string; version: string }, ctx: CommandContext) {
    return this.handle(
      data.policyId,
      { type: 'RejectPolicyBundle', data, metadata: commandMetadata(ctx) },
      ctx,
    );
  }

  private async handle(
    policyId: string,
    command: PolicyCommand,
    ctx: CommandContext,
  ): Promise<{ policy: Policy; changed: boolean }> {
    assertPolicyId(policyId);
    const handled = await handleCommand(
      this.store,
      policyStream(policyId),
      policyDecider,
      command,
      ctx,
      {
        context: undefined,
        onAppended: (result) =>
          this.readSide.recordWrite({
            transactionId: result.transactionId,
            position: result.lastPosition,
          }),
      },
    );
    return { policy: handled.state, changed: handled.events.length > 0 };
  }

  /** One version of a policy, from its stream (the source of truth), whatever its status. */
  async bundle(policyId: string, version: string): Promise<PolicyBundleVersion> {
    const key = `${policyId}@${version}`;
    const known = this.bundles.get(key);
    if (known) return known;
    const { state } = await loadStream(this.store, policyStream(policyId), policyDecider);
    const found =
      state.status === 'Unproposed' ? undefined : state.versions.find((v) => v.version === version);
    if (!found) throw new NotFoundError('policy version', key);
    const bundle: PolicyBundleVersion = { policyId, version, rules: found.rules };
    this.bundles.set(key, bundle);
    return bundle;
  }

  /** The active version of a policy, or undefined when none was approved. */
  async activeBundle(policyId: string): Promise<PolicyBundleVersion | undefined> {
    const { state } = await loadStream(this.store, policyStream(policyId), policyDecider);
    if (state.status === 'Unproposed' || state.activeVersion === undefined) return undefined;
    return this.bundle(policyId, state.activeVersion);
  }
}
