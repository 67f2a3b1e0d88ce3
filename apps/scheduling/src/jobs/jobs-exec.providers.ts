import type { Provider, Type } from '@nestjs/common';
import { EXECUTORS_CONFIG, loadExecutorsConfig } from './executors/executors.config';
import { SECRET_RESOLVER } from './executors/secret-resolver';
import { TaskExecutors } from './executors/task-executors';
import { loadKeyRing } from './secrets/envelope-encryption';
import { SecretsGrpcController } from './secrets/secrets.grpc-controller';
import { SecretsHttpController } from './secrets/secrets.http-controller';
import { SECRETS_KEYS, SecretsService } from './secrets/secrets.service';

/**
 * The job executors and their secrets (issue 12 item 2). The runtime injects `TaskExecutors`
 * (its TaskExecutorPort). Configuration is read once at start; a bad value stops the start with
 * the variable named, an absent KEK only disables secrets.
 */
export const JOBS_EXEC_PROVIDERS: Provider[] = [
  { provide: EXECUTORS_CONFIG, useFactory: () => loadExecutorsConfig() },
  { provide: SECRETS_KEYS, useFactory: () => ({ ring: loadKeyRing() }) },
  SecretsService,
  { provide: SECRET_RESOLVER, useExisting: SecretsService },
  TaskExecutors,
];

export const JOBS_EXEC_CONTROLLERS: Type[] = [SecretsGrpcController, SecretsHttpController];
