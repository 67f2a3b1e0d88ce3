import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { complianceAccess } from '@trainyard/grpc-contracts';
import type { PendingAccessChange } from '@trainyard/compliance-domain';
import {
  CommandContexts,
  RequirePermission,
  SERVICE_CONFIG,
  type ServiceConfig,
} from '@trainyard/platform';
import { Inject } from '@nestjs/common';
import {
  AccessAdminUseCases,
  accessModelOf,
  type AccessChangeResult,
} from './access-admin.use-cases';

export const ACCESS_ADMIN_SERVICE = complianceAccess.ACCESS_ADMIN_SERVICE_NAME;

export const toProtoPending = (p: PendingAccessChange): complianceAccess.PendingAccessChange => ({
  changeId: p.changeId,
  kind: p.change.kind,
  ...(p.change.kind === 'PutRole'
    ? {
        role: {
          ...p.change.role,
          permissions: [...p.change.role.permissions],
          source: 'administered',
        },
      }
    : {}),
  subject: p.change.kind === 'GrantRole' ? p.change.subject : '',
  roleName: p.change.kind === 'GrantRole' ? p.change.role : p.change.role.name,
  proposedBy: p.proposedBy,
  proposedAt: p.proposedAt,
  reason: p.reason ?? '',
});

/** Every change method answers the same fields (PutRoleResponse, GrantRoleResponse, …). */
type AccessChangeResponse = complianceAccess.PutRoleResponse;

const toProtoResult = (r: AccessChangeResult): AccessChangeResponse => ({
  outcome: r.outcome,
  ...(r.pending ? { pending: toProtoPending(r.pending) } : {}),
  modelVersion: String(r.modelVersion),
});

/**
 * A role as the wire gives it: proto3 cannot tell an absent role from an empty one, so an absent
 * message stays undefined and the domain names `role`.
 */
const roleOf = (role: complianceAccess.AccessRole | undefined): unknown =>
  role && {
    name: role.name,
    description: role.description,
    privileged: role.privileged,
    permissions: role.permissions ?? [],
  };

/** `trainyard.compliance.v1.AccessAdminService`. */
@Controller()
export class AccessAdminGrpcController implements complianceAccess.AccessAdminServiceController {
  constructor(
    private readonly access: AccessAdminUseCases,
    private readonly contexts: CommandContexts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @GrpcMethod(ACCESS_ADMIN_SERVICE, 'listRoles')
  @RequirePermission('compliance:access:read')
  async listRoles(): Promise<complianceAccess.ListRolesResponse> {
    const { roles, modelVersion } = await this.access.rolesInForce();
    return {
      roles: roles.map((r) => ({ ...r, permissions: [...r.permissions] })),
      modelVersion: String(modelVersion),
    };
  }

  @GrpcMethod(ACCESS_ADMIN_SERVICE, 'putRole')
  @RequirePermission('compliance:access:write')
  async putRole(
    request: complianceAccess.PutRoleRequest,
    metadata: Metadata,
  ): Promise<AccessChangeResponse> {
    return toProtoResult(
      await this.access.putRole(
        { role: roleOf(request.role) },
        this.contexts.forGrpc(metadata, request.reason),
      ),
    );
  }

  @GrpcMethod(ACCESS_ADMIN_SERVICE, 'grantRole')
  @RequirePermission('compliance:access:write')
  async grantRole(
    request: complianceAccess.GrantRoleRequest,
    metadata: Metadata,
  ): Promise<AccessChangeResponse> {
    return toProtoResult(
      await this.access.grantRole(
        { subject: request.subject, role: request.role },
        this.contexts.forGrpc(metadata, request.reason),
      ),
    );
  }

  @GrpcMethod(ACCESS_ADMIN_SERVICE, 'revokeRole')
  @RequirePermission('compliance:access:write')
  async revokeRole(
    request: complianceAccess.RevokeRoleRequest,
    metadata: Metadata,
  ): Promise<AccessChangeResponse> {
    return toProtoResult(
      await this.access.revokeRole(
        { subject: request.subject, role: request.role },
        this.contexts.forGrpc(metadata, request.reason),
      ),
    );
  }

  @GrpcMethod(ACCESS_ADMIN_SERVICE, 'approveChange')
  @RequirePermission('compliance:access:approve')
  async approveChange(
    request: complianceAccess.ApproveChangeRequest,
    metadata: Metadata,
  ): Promise<AccessChangeResponse> {
    return toProtoResult(
      await this.access.approve(
        { changeId: request.changeId },
        this.contexts.forGrpc(metadata, request.reason),
      ),
    );
  }

  @GrpcMethod(ACCESS_ADMIN_SERVICE, 'rejectChange')
  @RequirePermission('compliance:access:approve')
  async rejectChange(
    request: complianceAccess.RejectChangeRequest,
    metadata: Metadata,
  ): Promise<AccessChangeResponse> {
    return toProtoResult(
      await this.access.reject(
        { changeId: request.changeId },
        this.contexts.forGrpc(metadata, request.reason),
      ),
    );
  }

  @GrpcMethod(ACCESS_ADMIN_SERVICE, 'listPendingChanges')
  @RequirePermission('compliance:access:read')
  async listPendingChanges(): Promise<complianceAccess.ListPendingChangesResponse> {
    return { changes: (await this.access.pendingChanges()).map(toProtoPending) };
  }

  @GrpcMethod(ACCESS_ADMIN_SERVICE, 'getModel')
  @RequirePermission('compliance:access:read')
  async getModel(): Promise<complianceAccess.GetModelResponse> {
    const model = accessModelOf(await this.access.state(), this.contexts.now());
    return {
      modelId: model.modelId,
      version: String(model.version),
      roles: model.roles.map((r) => ({
        ...r,
        permissions: [...r.permissions],
        source: 'administered',
      })),
      grants: model.grants.map((g) => ({ subject: g.subject, roles: [...g.roles] })),
      topic: this.config.ACCESS_MODEL_TOPIC,
    };
  }
}
