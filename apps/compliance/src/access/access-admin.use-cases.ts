import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  loadStream,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import {
  ACCESS_MODEL_ID,
  accessDecider,
  accessModelStream,
  type AccessCommand,
  type AccessContext,
  type AccessEvent,
  type AccessModelState,
  type AccessRole,
  type PendingAccessChange,
} from '@trainyard/compliance-domain';
import { builtInRoles, EVENT_STORE, type AccessModel } from '@trainyard/platform';

export type AccessOutcome = 'applied' | 'proposed' | 'unchanged';

export interface AccessChangeResult {
  readonly outcome: AccessOutcome;
  readonly pending?: PendingAccessChange;
  readonly modelVersion: number;
}

export interface RoleInForce extends AccessRole {
  readonly source: 'built-in' | 'administered';
}

/** The built-in roles (platform's ROLE_PERMISSIONS): what administered roles overlay. */
export const accessContext = (): AccessContext => ({ builtIn: builtInRoles() });

/** The model every guard reads: administered roles and grants, versioned. */
export const accessModelOf = (state: AccessModelState, publishedAt: string): AccessModel => ({
  modelId: ACCESS_MODEL_ID,
  version: state.version,
  roles: Object.values(state.roles)
    .map((r) => ({ ...r, permissions: [...r.permissions] }))
    .sort((a, b) => a.name.localeCompare(b.name)),
  grants: Object.entries(state.grants)
    .map(([subject, roles]) => ({ subject, roles: [...roles] }))
    .sort((a, b) => a.subject.localeCompare(b.subject)),
  publishedAt,
});

/**
 * PutRole, GrantRole, RevokeRole, ApproveAccessChange, RejectAccessChange on the one access-model
 * stream; listeners (the publisher) hear of every applied change.
 */
@Injectable()
export class AccessAdminUseCases {
  private readonly listeners: (() => void)[] = [];

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  onApplied(listener: () => void): void {
    this.listeners.push(listener);
  }

  putRole(data: { role: unknown }, ctx: CommandContext) {
    return this.handle(
      {
        type: 'PutRole',
        data: { role: data.role as AccessRole, changeId: randomUUID() },
        metadata: commandMetadata(ctx),
      },
      ctx,
    );
  }

  grantRole(data: { subject: string; role: string }, ctx: CommandContext) {
    return this.handle(
      {
        type: 'GrantRole',
        data: { ...data, changeId: randomUUID() },
        metadata: commandMetadata(ctx),
      },
      ctx,
    );
  }

  revokeRole(data: { subject: string; role: string }, ctx: CommandContext) {
    return this.handle({ type: 'RevokeRole', data, metadata: commandMetadata(ctx) }, ctx);
  }

  approve(data: { changeId: string }, ctx: CommandContext) {
    return this.handle({ type: 'ApproveAccessChange', data, metadata: commandMetadata(ctx) }, ctx);
  }

  reject(data: { changeId: string }, ctx: CommandContext) {
    return this.handle({ type: 'RejectAccessChange', data, metadata: commandMetadata(ctx) }, ctx);
  }

  async state(): Promise<AccessModelState> {
    return (await loadStream(this.store, accessModelStream(), accessDecider)).state;
  }

  async rolesInForce(): Promise<{ roles: RoleInForce[]; modelVersion: number }> {
    const state = await this.state();
    const roles = new Map<string, RoleInForce>();
    for (const r of accessContext().builtIn) roles.set(r.name, { ...r, source: 'built-in' });
    for (const r of Object.values(state.roles)) roles.set(r.name, { ...r, source: 'administered' });
    return {
      roles: [...roles.values()].sort((a, b) => a.name.localeCompare(b.name)),
      modelVersion: state.version,
    };
  }

  async pendingChanges(): Promise<PendingAccessChange[]> {
    return Object.values((await this.state()).pending).sort((a, b) =>
      a.proposedAt === b.proposedAt
        ? a.changeId.localeCompare(b.changeId)
        : a.proposedAt.localeCompare(b.proposedAt),
    );
  }

  private async handle(command: AccessCommand, ctx: CommandContext): Promise<AccessChangeResult> {
    const handled = await handleCommand(
      this.store,
      accessModelStream(),
      accessDecider,
      command,
      ctx,
      { context: accessContext() },
    );
    const events: readonly AccessEvent[] = handled.events;
    const applied = events.some((e) =>
      ['AccessRolePut', 'AccessRoleGranted', 'AccessRoleRevoked'].includes(e.type),
    );
    if (applied) for (const listener of this.listeners) listener();
    const proposedEvent = events.find((e) => e.type === 'AccessChangeProposed');
    const pending =
      proposedEvent?.type === 'AccessChangeProposed'
        ? handled.state.pending[proposedEvent.data.changeId]
        : undefined;
    return {
      outcome: applied ? 'applied' : pending ? 'proposed' : 'unchanged',
      ...(pending ? { pending } : {}),
      modelVersion: handled.state.version,
    };
  }
}
