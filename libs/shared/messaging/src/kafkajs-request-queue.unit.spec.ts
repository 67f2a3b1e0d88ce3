// kafkajs 2.2.4 re-armed a 1 ms timer on every broker connection for as long as it was open
// (kafkajs#1751: with nothing pending and no throttle, the check rescheduled itself with a
// negative delay), about 30-50 ms of CPU a second per idle process. patches/kafkajs+2.2.4.patch,
// applied by `postinstall`, stops it; these tests fail if the patch is lost (an upgrade, an
// install that skipped scripts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
};

const quietLogger = { debug: () => undefined, warn: () => undefined, error: () => undefined };
const requestQueue = () =>
  new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: 'spec',
    broker: '127.0.0.1:9092',
    logger: quietLogger,
  });

describe('kafkajs request queue (patched, kafkajs#1751)', () => {
  it('arms no timer when nothing is pending and no throttle is in effect', () => {
    const queue = requestQueue();
    queue.checkPendingRequests(); // what every response from the broker runs
    const armed = queue.throttleCheckTimeoutId;
    clearTimeout(armed ?? undefined); // unpatched, it would re-arm itself every millisecond
    expect(armed).toBeNull();
  });

  it('still checks again later while requests wait behind a throttle', () => {
    const queue = requestQueue();
    queue.throttledUntil = Date.now() + 60_000;
    queue.pending.push({});
    queue.scheduleCheckPendingRequests();
    try {
      expect(queue.throttleCheckTimeoutId).not.toBeNull();
    } finally {
      clearTimeout(queue.throttleCheckTimeoutId!);
    }
  });
});
