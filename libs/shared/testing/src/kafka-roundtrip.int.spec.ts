import { Kafka, logLevel } from 'kafkajs';
import { createTestContext, type TestContext } from './test-context';

// The platform's most basic promise: a real broker takes a message and gives it back.
describe('Kafka broker round trip', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext('kafka_roundtrip');
  });
  afterAll(() => ctx.dispose());

  it('a produced message is consumed by a consumer group, key, value and headers intact', async () => {
    const kafka = new Kafka({
      clientId: 'roundtrip',
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const topic = ctx.topic('roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'k1', value: 'hello', headers: { ce_id: 'e-1' } }],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: ctx.groupId('roundtrip') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string; ceId: string }>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) =>
          Promise.resolve(
            resolve({
              key: message.key?.toString() ?? '',
              value: message.value?.toString() ?? '',
              ceId: message.headers?.['ce_id']?.toString() ?? '',
            }),
          ),
      });
    });
    await consumer.disconnect();
    expect(received).toEqual({ key: 'k1', value: 'hello', ceId: 'e-1' });
  });
});
