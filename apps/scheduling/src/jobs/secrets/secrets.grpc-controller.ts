import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { secrets } from '@trainyard/grpc-contracts';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { SecretsService, type SecretSummary } from './secrets.service';

export const SECRET_SERVICE = 'SecretService';

const toProto = (s: SecretSummary): secrets.SecretSummary => ({
  name: s.name,
  version: s.version,
  kekId: s.kekId,
  createdAt: s.createdAt,
  createdBy: s.createdBy,
  rotatedAt: s.rotatedAt ?? '',
  rotatedBy: s.rotatedBy ?? '',
});

/** `trainyard.scheduling.v1.SecretService`: no method answers a secret's value. */
@Controller()
export class SecretsGrpcController implements secrets.SecretServiceController {
  constructor(
    private readonly secrets: SecretsService,
    private readonly contexts: CommandContexts,
  ) {}

  @GrpcMethod(SECRET_SERVICE, 'putSecret')
  @RequirePermission('scheduling:secrets:write')
  async putSecret(
    request: secrets.PutSecretRequest,
    metadata: Metadata,
  ): Promise<secrets.PutSecretResponse> {
    const summary = await this.secrets.put(
      request.name,
      request.value,
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { secret: toProto(summary) };
  }

  @GrpcMethod(SECRET_SERVICE, 'listSecrets')
  @RequirePermission('scheduling:secrets:read')
  async listSecrets(): Promise<secrets.ListSecretsResponse> {
    return { items: (await this.secrets.list()).map(toProto) };
  }

  @GrpcMethod(SECRET_SERVICE, 'deleteSecret')
  @RequirePermission('scheduling:secrets:write')
  async deleteSecret(
    request: secrets.DeleteSecretRequest,
    metadata: Metadata,
  ): Promise<secrets.DeleteSecretResponse> {
    const deleted = await this.secrets.delete(
      request.name,
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { deleted };
  }
}
