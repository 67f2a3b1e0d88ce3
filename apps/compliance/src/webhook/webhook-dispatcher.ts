import { backoffDelay, sleep } from '@trainyard/messaging';
import type { WebhookSettings, WebhookSubscriber } from './webhook-config';
import type { WebhookDelivery, WebhookDeliveryStore } from './webhook-delivery.store';
import { CLOUDEVENTS_JSON } from './structured-cloud-event';
import { signWebhook, WEBHOOK_HEADERS } from './webhook-signature';

export interface WebhookDispatcherLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface WebhookDispatcherOptions {
  readonly store: WebhookDeliveryStore;
  readonly settings: WebhookSettings;
  /** The wall clock, for `webhook-timestamp`. */
  readonly now?: () => Date;
  /** In [0, 1): the jitter source (tests fix it). */
  readonly random?: () => number;
  readonly logger?: WebhookDispatcherLogger;
  readonly batchSize?: number;
}

export type AttemptOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'retry'; readonly retryInMs: number; readonly error: string }
  | { readonly kind: 'dead'; readonly error: string };

/**
 * Drains webhook_deliveries: POSTs each due delivery as a signed structured CloudEvent; a 2xx
 * marks it delivered; anything else (status, timeout, refused connection) is retried with
 * exponential backoff and equal jitter until `maxAttempts`, then dead-lettered. Log lines name the
 * subscriber and delivery, never the URL's query, the secret or the signature.
 */
export class WebhookDispatcher {
  private readonly subscribers: ReadonlyMap<string, WebhookSubscriber>;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly logger: WebhookDispatcherLogger;
  private controller?: AbortController;
  private loop?: Promise<void>;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.subscribers = new Map(options.settings.subscribers.map((s) => [s.id, s]));
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? { warn: () => undefined, error: () => undefined };
  }

  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** One pass over the due deliveries; resolves with how many were attempted. */
  async drainOnce(): Promise<number> {
    const { settings } = this.options;
    const due = await this.options.store.claimDue(
      this.options.batchSize ?? 20,
      settings.timeoutMs + 5_000,
    );
    await Promise.all(due.map((delivery) => this.deliver(delivery)));
    return due.length;
  }

  /** The delay before retry `attempt` (1-based): the shared exponential backoff, half of it jittered. */
  retryDelay(attempt: number): number {
    const base = backoffDelay(attempt, {
      initialMs: this.options.settings.initialBackoffMs,
      maxMs: this.options.settings.maxBackoffMs,
    });
    return Math.round(base / 2 + this.random() * (base / 2));
  }

  async deliver(delivery: WebhookDelivery): Promise<AttemptOutcome> {
    const { store, settings } = this.options;
    const attempt = delivery.attempts + 1;
    const subscriber = this.subscribers.get(delivery.subscriberId);
    let outcome: AttemptOutcome;
    let failure: { error: string; status?: number };
    if (!subscriber) {
      failure = { error: `Subscriber ${delivery.subscriberId} is no longer configured.` };
    } else {
      const result = await this.post(subscriber, delivery);
      if (result.ok) {
        await store.markDelivered(delivery.deliveryId, result.status);
        return { kind: 'delivered', status: result.status };
      }
      failure = result.failure;
    }
    if (attempt >= settings.maxAttempts) {
      outcome = { kind: 'dead', error: failure.error };
      await store.markFailed(delivery.deliveryId, failure, undefined);
      this.logger.error(
        `webhook delivery ${delivery.deliveryId} to ${delivery.subscriberId} dead-lettered after ${attempt} attempts: ${failure.error}`,
      );
    } else {
      const retryInMs = this.retryDelay(attempt);
      outcome = { kind: 'retry', retryInMs, error: failure.error };
      await store.markFailed(delivery.deliveryId, failure, retryInMs);
      this.logger.warn(
        `webhook delivery ${delivery.deliveryId} to ${delivery.subscriberId} failed (attempt ${attempt}), retrying in ${retryInMs} ms: ${failure.error}`,
      );
    }
    return outcome;
  }

  private async post(
    subscriber: WebhookSubscriber,
    delivery: WebhookDelivery,
  ): Promise<
    { ok: true; status: number } | { ok: false; failure: { error: string; status?: number } }
  > {
    const timestamp = Math.floor(this.now().getTime() / 1000);
    const signal = AbortSignal.timeout(this.options.settings.timeoutMs);
    try {
      const response = await fetch(subscriber.url, {
        method: 'POST',
        headers: {
          'content-type': CLOUDEVENTS_JSON,
          [WEBHOOK_HEADERS.id]: delivery.deliveryId,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(
            subscriber.key,
            delivery.deliveryId,
            timestamp,
            delivery.body,
          ),
        },
        body: delivery.body,
        redirect: 'manual',
        signal,
      });
      // The body is not read into logs or the table: only drained.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300)
        return { ok: true, status: response.status };
      return {
        ok: false,
        failure: {
          error: `The subscriber answered HTTP ${response.status}.`,
          status: response.status,
        },
      };
    } catch (error) {
      const reason = signal.aborted
        ? `no answer within ${this.options.settings.timeoutMs} ms`
        : error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : 'request failed';
      return { ok: false, failure: { error: `The request failed: ${reason}.` } };
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const attempted = await this.drainOnce();
        failures = 0;
        if (attempted === 0) await sleep(this.options.settings.pollMs, signal);
      } catch (error) {
        failures++;
        this.logger.warn(
          `webhook dispatcher pass failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        await sleep(backoffDelay(failures, { initialMs: 500, maxMs: 30_000 }), signal);
      }
    }
  }
}
