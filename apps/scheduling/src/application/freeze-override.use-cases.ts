import { Inject, Injectable } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import { EVENT_STORE } from '@trainyard/platform';
import {
  freezeOverrideDecider,
  freezeOverrideStream,
  type FreezeOverride,
  type FreezeOverrideCommand,
  type OverridePolicy,
} from '@trainyard/scheduling-domain';
import { OVERRIDE_POLICY } from '../config/override-policy';
import { OverrideReadSide } from '../projections/override-read-side';

type CommandData<T extends FreezeOverrideCommand['type']> = Extract<
  FreezeOverrideCommand,
  { type: T }
>['data'];

/**
 * Every freeze-override command: build it from the request and the command context (actor, now,
 * reason), decide on the loaded stream with the service's override policy, append at the loaded
 * version. The requester and every approver are the authenticated actor: no field names them.
 */
@Injectable()
export class FreezeOverrideUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(OVERRIDE_POLICY) private readonly policy: OverridePolicy,
    private readonly readSide: OverrideReadSide,
  ) {}

  async handle<T extends FreezeOverrideCommand['type']>(
    type: T,
    data: CommandData<T>,
    ctx: CommandContext,
  ): Promise<{ state: FreezeOverride; changed: boolean }> {
    const command = { type, data, metadata: commandMetadata(ctx) } as FreezeOverrideCommand;
    const handled = await handleCommand(
      this.store,
      freezeOverrideStream(data.overrideId),
      freezeOverrideDecider,
      command,
      ctx,
      {
        context: { policy: this.policy },
        expectNew: type === 'RequestFreezeOverride',
        onAppended: (result) =>
          this.readSide.recordWrite({
            transactionId: result.transactionId,
            position: result.lastPosition,
          }),
      },
    );
    return { state: handled.state, changed: handled.events.length > 0 };
  }
}
