import type { Provider, Type } from '@nestjs/common';
import { SERVICE_CONFIG } from '@trainyard/platform';
import type { SchedulingConfig } from '../config/scheduling-settings';
import { EXECUTORS_CONFIG, executorsConfigOf } from './executors/executors.config';
import { SECRET_RESOLVER } from './executors/secret-resolver';
import { TaskExecutors } from './executors/task-executors';
import { keyRingOf } from './secrets/key-ring.config';
import { SecretsGrpcController } from './secrets/secrets.grpc-controller';
import { SecretsHttpController } from './secrets/secrets.http-controller';
import { SECRETS_KEYS, SecretsService } from './secrets/secrets.service';

/**
 * The job executors and their secrets (issue 12 item 2). The runtime injects `TaskExecutors`
 * (its TaskExecutorPort). Configuration comes from the service's settings, validated at start (a
 * bad value stops the start with the variable named); an absent KEK only disables secrets.
 */
export const JOBS_EXEC_PROVIDERS: Provider[] = [
  {
    provide: EXECUTORS_CONFIG,
    inject: [SERVICE_CONFIG],
    useFactory: (config: SchedulingConfig) => executorsConfigOf(config),
  },
  {
    provide: SECRETS_KEYS,
    inject: [SERVICE_CONFIG],
    useFactory: (config: SchedulingConfig) => ({ ring: keyRingOf(config) }),
  },
  SecretsService,
  { provide: SECRET_RESOLVER, useExisting: SecretsService },
  TaskExecutors,
];

export const JOBS_EXEC_CONTROLLERS: Type[] = [SecretsGrpcController, SecretsHttpController];
