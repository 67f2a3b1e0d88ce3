import type { Admin } from 'kafkajs';
import type { JobBackpressure, JobManifest } from '@trainyard/scheduling-domain';
import type { BackpressurePort } from '../runtime-ports';

export interface BackpressureProbeOptions {
  /** A kafkajs admin client (connected on first use); required for `kafka-lag` signals. */
  readonly admin?: Admin;
  /** How long an answer is reused per signal, so a flood of runs asks the downstream once. Default 2 s. */
  readonly cacheMs?: number;
  /** HTTP health request timeout. Default 2 s. */
  readonly timeoutMs?: number;
  /** The longest Retry-After honoured. Default 300 s. */
  readonly maxRetryAfterMs?: number;
  /** Epoch ms. Default Date.now. */
  readonly clock?: () => number;
}

type Verdict = { readonly held?: string; readonly until: number };

/**
 * Backpressure (issue 12, item 4): a job names downstream signals; its start is deferred while
 * one of them says the downstream does not keep up.
 *
 * - `kafka-lag`: the consumer group's lag on the topic (end offset minus committed offset, summed
 *   over partitions; a partition the group never committed counts from its low watermark) above
 *   `maxLag` holds the run back.
 * - `http-health`: 429 or 503 holds it back until the `Retry-After` it gives (seconds or an HTTP
 *   date, at most `maxRetryAfterMs`); any other answer clears it; an unreachable endpoint holds it
 *   back (a downstream that cannot answer is not keeping up).
 *
 * Answers are cached per signal and concurrent asks share one request.
 */
export class BackpressureProbe implements BackpressurePort {
  private readonly cache = new Map<string, Verdict>();
  private readonly inFlight = new Map<string, Promise<Verdict>>();
  private connected: Promise<void> | undefined;
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly clock: () => number;
  /** Requests actually sent to a downstream (observability, and the cache's spec). */
  probes = 0;

  constructor(private readonly options: BackpressureProbeOptions = {}) {
    this.cacheMs = options.cacheMs ?? 2_000;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
    this.clock = options.clock ?? Date.now;
  }

  async holdBack(job: JobManifest): Promise<string | undefined> {
    for (const signal of job.backpressure ?? []) {
      const verdict = await this.check(signal);
      if (verdict.held !== undefined) return verdict.held;
    }
    return undefined;
  }

  /** The signal's verdict, from the cache while fresh. */
  check(signal: JobBackpressure): Promise<Verdict> {
    const key =
      signal.kind === 'kafka-lag'
        ? `kafka:${signal.groupId}:${signal.topic}:${signal.maxLag}`
        : `http:${signal.url}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > this.clock()) return Promise.resolve(cached);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const probe = (signal.kind === 'kafka-lag' ? this.kafkaLag(signal) : this.httpHealth(signal))
      .then((verdict) => {
        this.cache.set(key, verdict);
        return verdict;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, probe);
    return probe;
  }

  /** Disconnects the admin client if this probe connected it. */
  async close(): Promise<void> {
    if (this.connected) {
      this.connected = undefined;
      await this.options.admin?.disconnect().catch(() => undefined);
    }
  }

  /** The group's total lag on the topic. */
  async lagOf(groupId: string, topic: string): Promise<number> {
    const admin = this.options.admin;
    if (!admin) throw new Error('kafka-lag backpressure needs a Kafka admin client');
    this.connected ??= admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map(
      (committed.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [
        p.partition,
        Number(p.offset),
      ]),
    );
    let lag = 0;
    for (const p of ends) {
      const end = Number(p.high);
      const at = done.get(p.partition);
      const from = at === undefined || at < 0 ? Number(p.low) : at;
      lag += Math.max(0, end - from);
    }
    return lag;
  }

  private async kafkaLag(
    signal: Extract<JobBackpressure, { kind: 'kafka-lag' }>,
  ): Promise<Verdict> {
    this.probes += 1;
    const until = this.clock() + this.cacheMs;
    try {
      const lag = await this.lagOf(signal.groupId, signal.topic);
      if (lag > signal.maxLag)
        return {
          held: `consumer group ${signal.groupId} lags ${lag} messages on ${signal.topic} (at most ${signal.maxLag}).`,
          until,
        };
      return { until };
    } catch (error) {
      return {
        held: `lag of consumer group ${signal.groupId} on ${signal.topic} unknown: ${error instanceof Error ? error.message : String(error)}`,
        until,
      };
    }
  }

  private async httpHealth(
    signal: Extract<JobBackpressure, { kind: 'http-health' }>,
  ): Promise<Verdict> {
    this.probes += 1;
    const now = this.clock();
    try {
      const response = await fetch(signal.url, {
        method: 'GET',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status !== 429 && response.status !== 503) return { until: now + this.cacheMs };
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
      const wait = Math.min(this.maxRetryAfterMs, Math.max(this.cacheMs, retryAfterMs ?? 0));
      return {
        held: `${signal.url} answered ${response.status}${retryAfterMs === undefined ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`}.`,
        until: now + wait,
      };
    } catch (error) {
      return {
        held: `${signal.url} unreachable: ${error instanceof Error ? error.message : String(error)}`,
        until: now + this.cacheMs,
      };
    }
  }
}

/** `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`. */
export const parseRetryAfter = (value: string | null, now: number): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};
