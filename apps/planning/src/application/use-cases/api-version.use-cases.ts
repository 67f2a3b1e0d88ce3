import { Injectable } from '@nestjs/common';
import { commandMetadata, type CommandContext } from '@trainyard/event-store';
import {
  apiVersionDecider,
  type ApiVersion,
  type DeprecateApiVersion,
} from '@trainyard/planning-domain';
import { PlanningCommandHandler } from '../planning-command-handler';
import { apiVersionStream } from '../planning-streams';

/** DeprecateApiVersion. */
@Injectable()
export class ApiVersionUseCases {
  constructor(private readonly commands: PlanningCommandHandler) {}

  async deprecate(
    data: DeprecateApiVersion['data'],
    ctx: CommandContext,
  ): Promise<{ lifecycle: ApiVersion; changed: boolean }> {
    const command = { type: 'DeprecateApiVersion', data, metadata: commandMetadata(ctx) } as const;
    const handled = await this.commands.handle(
      apiVersionStream(data.api, data.version),
      apiVersionDecider,
      command,
      ctx,
      { context: undefined },
    );
    return { lifecycle: handled.state, changed: handled.events.length > 0 };
  }
}
