import { freePort } from './free-ports';
import { groupCoordinatorAnswers } from './kafka-local';

describe('groupCoordinatorAnswers', () => {
  it('answers once the broker can look groups up (the suite broker, started by global setup)', async () => {
    const broker = process.env.KAFKA_BROKERS?.split(',')[0];
    if (!broker) throw new Error('KAFKA_BROKERS is set by global setup');
    await expect(groupCoordinatorAnswers(broker, 30_000)).resolves.toBe(true);
  });

  it('gives up when nothing answers', async () => {
    await expect(groupCoordinatorAnswers(`127.0.0.1:${await freePort()}`, 500)).resolves.toBe(
      false,
    );
  });
});
