import { Module } from '@nestjs/common';

/**
 * The deployment bounded context (ARCHITECTURE.md). Its domain arrives in its own issue; until then the
 * service boots on the platform: audit trail over its event store, health, metrics, auth.
 */
@Module({})
export class DeploymentModule {}
