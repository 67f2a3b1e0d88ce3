import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import type { MessageBus } from '@trainyard/messaging';
import { MESSAGE_BUS } from '@trainyard/platform';
import type { TaskExecution, TaskExecutionResult, TaskExecutorPort } from '../runtime-ports';
import type { JobManifest } from '@trainyard/scheduling-domain';
import { CommandTaskExecutor } from './command-task.executor';
import { EXECUTORS_CONFIG, type ExecutorsConfig } from './executors.config';
import { HttpTaskExecutor } from './http-task.executor';
import { KafkaTaskExecutor } from './kafka-task.executor';
import {
  EXECUTOR_LOGGER,
  SECRET_RESOLVER,
  type ExecutorLogger,
  type SecretResolver,
} from './secret-resolver';

type Executor = JobManifest['tasks'][number]['executor'];

/** The runtime's one entry to the executors (TaskExecutorPort): dispatch on the executor's kind. */
@Injectable()
export class TaskExecutors implements TaskExecutorPort, BeforeApplicationShutdown {
  readonly http: HttpTaskExecutor;
  readonly command: CommandTaskExecutor;
  readonly kafka: KafkaTaskExecutor;

  constructor(
    @Inject(EXECUTORS_CONFIG) config: ExecutorsConfig,
    @Inject(SECRET_RESOLVER) secrets: SecretResolver,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Optional() @Inject(EXECUTOR_LOGGER) logger?: ExecutorLogger,
  ) {
    logger ??= new Logger('TaskExecutors');
    this.http = new HttpTaskExecutor(config.http, secrets, logger);
    this.command = new CommandTaskExecutor(config.command, secrets, logger);
    this.kafka = new KafkaTaskExecutor(config.kafka, bus, logger);
  }

  execute(executor: Executor, execution: TaskExecution): Promise<TaskExecutionResult> {
    switch (executor.kind) {
      case 'http':
        return this.http.execute(executor, execution);
      case 'command':
        return this.command.execute(executor, execution);
      case 'kafka':
        return this.kafka.execute(executor, execution);
      default: {
        const unknown: never = executor;
        return Promise.resolve({
          outcome: 'failed',
          detail: `no executor for kind ${(unknown as { kind: string }).kind}`,
        });
      }
    }
  }

  /**
   * After every module's destroy hooks: the job runtime (JobRuntimeHost.onModuleDestroy) drains
   * its tasks in flight first, so a Kafka task finishing during the drain still has its producer.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.kafka.close();
  }
}
