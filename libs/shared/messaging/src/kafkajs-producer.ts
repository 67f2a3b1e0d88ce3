// The kafkajs adapter of the message bus (see message-bus.port.ts): the producer.
import type { Producer } from 'kafkajs';
import type { MessageProducer, OutgoingMessage } from './message-bus.port';

/**
 * Connects lazily and starts a new idempotent session after any failed send: the failed request's
 * sequence numbers may or may not have been written, and a fresh producer id cannot collide with
 * them, so the caller's re-send is written (possibly as duplicates) instead of being refused as out
 * of sequence forever.
 */
export class KafkaJsProducer implements MessageProducer {
  private current?: Promise<Producer>;
  private closed = false;

  constructor(private readonly create: () => Producer) {}

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('producer is disconnected');
    if (messages.length === 0) return;
    const session = (this.current ??= this.connect());
    try {
      const producer = await session;
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
      });
    } catch (error) {
      if (this.current === session) this.current = undefined;
      void session.then((producer) => producer.disconnect()).catch(() => undefined);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    const session = this.current;
    this.current = undefined;
    const producer = await session?.catch(() => undefined);
    await producer?.disconnect();
  }

  private async connect(): Promise<Producer> {
    const producer = this.create();
    await producer.connect();
    return producer;
  }
}
