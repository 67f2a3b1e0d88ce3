import type { MessageBus, MessageProducer } from '@trainyard/messaging';
import {
  RenderError,
  renderJson,
  renderText,
  type KafkaExecutor,
  type RenderContext,
} from '@trainyard/scheduling-domain';
import type { TaskExecution, TaskExecutionResult } from '../runtime-ports';
import { openExecutionScope, reasonOf, shortDetail } from './execution-scope';
import type { ExecutorsConfig } from './executors.config';
import type { ExecutorLogger } from './secret-resolver';

/** The platform's own topics: a job must not forge the services' events. */
const PLATFORM_TOPIC_PREFIX = 'trainyard.';

export const KAFKA_TASK_HEADERS = {
  idempotencyKey: 'idempotency-key',
  runId: 'trainyard-run-id',
  job: 'trainyard-job',
  taskId: 'trainyard-task-id',
  attempt: 'trainyard-attempt',
  fencingTokens: 'trainyard-fencing-tokens',
} as const;

/**
 * One message to a topic (issue 12, item 2) through the platform's message bus (an idempotent
 * producer, acks from all in-sync replicas): success when acknowledged. Key and payload are
 * rendered from parameters (no secrets); the task key rides as the `idempotency-key` header so a
 * consumer drops the duplicate a retried task may produce. Topics: the operator's prefixes, or by
 * default any topic outside the platform's `trainyard.` ones.
 */
export class KafkaTaskExecutor {
  private producer: MessageProducer | undefined;

  constructor(
    private readonly config: ExecutorsConfig['kafka'],
    private readonly bus: MessageBus,
    private readonly logger: ExecutorLogger,
  ) {}

  private topicAllowed(topic: string): boolean {
    return this.config.topicPrefixes === undefined
      ? !topic.startsWith(PLATFORM_TOPIC_PREFIX)
      : this.config.topicPrefixes.some((prefix) => topic.startsWith(prefix));
  }

  async execute(executor: KafkaExecutor, execution: TaskExecution): Promise<TaskExecutionResult> {
    const finish = (result: TaskExecutionResult): TaskExecutionResult => {
      const out =
        result.detail === undefined ? result : { ...result, detail: shortDetail(result.detail) };
      this.logger.log(
        `task ${execution.job}/${execution.taskId} (run ${execution.runId}, attempt ${execution.attempt}): kafka ${out.outcome}${out.detail ? ` — ${out.detail}` : ''}`,
      );
      return out;
    };
    if (!this.topicAllowed(executor.topic))
      return finish({
        outcome: 'failed',
        detail: `refused: the topic ${executor.topic} is not allowed (SCHEDULING_KAFKA_TOPIC_ALLOWLIST)`,
      });
    const context: RenderContext = { parameters: execution.parameters, secrets: new Map() };
    let key: string;
    let value: Buffer;
    try {
      key =
        executor.key === undefined
          ? execution.taskKey
          : renderText(executor.key, context, 'key').value;
      const payload =
        executor.payload === undefined
          ? { job: execution.job, runId: execution.runId, taskId: execution.taskId }
          : renderJson(executor.payload, context, 'payload');
      value = Buffer.from(JSON.stringify(payload), 'utf8');
    } catch (error) {
      if (error instanceof RenderError) return finish({ outcome: 'failed', detail: error.message });
      throw error;
    }
    const scope = openExecutionScope(execution);
    try {
      this.producer ??= this.bus.producer();
      const sent = this.producer.send(executor.topic, [
        {
          key,
          value,
          headers: {
            [KAFKA_TASK_HEADERS.idempotencyKey]: execution.taskKey,
            [KAFKA_TASK_HEADERS.runId]: execution.runId,
            [KAFKA_TASK_HEADERS.job]: execution.job,
            [KAFKA_TASK_HEADERS.taskId]: execution.taskId,
            [KAFKA_TASK_HEADERS.attempt]: String(execution.attempt),
            [KAFKA_TASK_HEADERS.fencingTokens]: JSON.stringify(execution.fencingTokens),
          },
        },
      ]);
      const aborted = new Promise<never>((_, reject) => {
        const fail = () => reject(new Error(reasonOf(scope.signal.reason)));
        if (scope.signal.aborted) fail();
        scope.signal.addEventListener('abort', fail, { once: true });
      });
      // The loser of the race must not surface as an unhandled rejection.
      sent.catch(() => undefined);
      aborted.catch(() => undefined);
      await Promise.race([sent, aborted]);
      return finish({ outcome: 'succeeded', detail: `acknowledged on ${executor.topic}` });
    } catch (error) {
      if (scope.timedOut())
        return finish({
          outcome: 'timed-out',
          detail: `no acknowledgement from ${executor.topic} within ${execution.timeoutMs} ms (the message may still be written; its idempotency-key deduplicates)`,
        });
      if (execution.signal.aborted)
        return finish({ outcome: 'failed', detail: `cancelled: ${reasonOf(error)}` });
      return finish({
        outcome: 'failed',
        detail: `not acknowledged on ${executor.topic}: ${reasonOf(error)}`,
      });
    } finally {
      scope.close();
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
