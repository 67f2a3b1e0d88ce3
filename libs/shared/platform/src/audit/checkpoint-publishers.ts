import type { CheckpointPublisher } from '@trainyard/event-store';
import type { MessageProducer } from '@trainyard/messaging';

/** Every service's signed tree checkpoints, keyed by the log's origin. */
export const CHECKPOINTS_TOPIC = 'trainyard.audit.checkpoints.v1';

/** Sends each signed checkpoint note (UTF-8 text) to `trainyard.audit.checkpoints.v1`. */
export function kafkaCheckpointPublisher(producer: MessageProducer): CheckpointPublisher {
  return (checkpoint) =>
    producer.send(CHECKPOINTS_TOPIC, [
      {
        key: checkpoint.origin,
        value: Buffer.from(checkpoint.note, 'utf8'),
        headers: {
          'content-type': 'text/x-c2sp-checkpoint; charset=utf-8',
          'trainyard-tree-size': String(checkpoint.treeSize),
        },
      },
    ]);
}
