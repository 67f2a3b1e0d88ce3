// The compliance e2e specs' boot: a test context, a Kafka client, the file's own topics (planning
// events it sends, a ledger topic nothing else writes), a listener on compliance's GRC feed when a
// spec reads it, the service started on those topics, and one stop for all of it. Each step is a
// call the spec makes in its beforeAll, so what a spec sets up still reads there.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { COMPLIANCE_EVENTS_TOPIC } from '@trainyard/compliance-contracts';
import type { Clock } from '@trainyard/kernel';
import { CE_HEADERS } from '@trainyard/messaging';
import {
  callUnary,
  createTestContext,
  startTestService,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { complianceService } from '../../src/compliance.service';
import { isolatedTopicSettings } from './isolated-topics';

/** A planning integration event as planning's relay sends it (CloudEvents binary mode). */
export const planningMessage = (
  type: string,
  key: string,
  data: object,
  time?: string,
): Message => ({
  key,
  value: JSON.stringify(data),
  headers: {
    [CE_HEADERS.specversion]: '1.0',
    [CE_HEADERS.id]: randomUUID(),
    [CE_HEADERS.source]: '/trainyard/planning',
    [CE_HEADERS.type]: `dev.trainyard.planning.${type}.v1`,
    ...(time ? { [CE_HEADERS.time]: time } : {}),
    [CE_HEADERS.contentType]: 'application/json',
  },
});

/** Planning's WorkloadRegistered.v1 payload for a payments workload, as planning publishes it. */
export const workloadRegistered = (workloadId: string, over: Record<string, unknown> = {}) => ({
  workloadId,
  title: `Workload ${workloadId}`,
  team: 'payments',
  components: [{ name: 'vault', kind: 'service' }],
  regulatedData: ['pii'],
  jobSize: 5,
  businessValue: 8,
  timeCriticality: 3,
  riskReduction: 5,
  dependsOn: [],
  schemaChange: false,
  classification: { changeType: 'normal', ruleId: 'fallback', explanation: 'fallback' },
  riskTier: 'high',
  approvalPath: 'standard',
  riskReasons: [],
  route: { trackId: 'main', trackKind: 'train' },
  policyVersion: '1',
  registeredBy: 'dev-engineer',
  registeredAt: '2031-05-04T09:00:00.000Z',
  ...over,
});

/**
 * Makes a policy bundle version active: proposed by one user and approved by another (four eyes),
 * through ComplianceService's `client`.
 */
export async function activatePolicyBundle(
  client: GrpcTestClient,
  bundle: { readonly policyId: string; readonly version: string } & Record<string, unknown>,
  proposer: string,
  approver: string,
): Promise<void> {
  await callUnary(client, 'ProposePolicyBundle', bundle, proposer);
  const { policyId, version } = bundle;
  await callUnary(client, 'ApprovePolicyBundle', { policyId, version }, approver);
}

/** One CloudEvent of compliance's GRC feed. */
export interface GrcEvent {
  readonly key: string;
  readonly type: string;
  readonly correlationId: string | undefined;
  readonly data: Record<string, unknown>;
}

export interface ComplianceStart {
  /** Settings of the service beyond the file's topics (which they may override). */
  readonly env?: Record<string, string>;
  readonly clock?: Clock;
  /** The topics the audit ledger reads; default one of the file's own that nothing writes. */
  readonly ledger?: readonly string[];
}

export class ComplianceE2e {
  /** This file's topic of planning events, read by the service instead of planning's. */
  planningTopic?: string;
  producer?: Producer;
  private readonly stops: (() => Promise<unknown>)[] = [];

  private constructor(
    readonly ctx: TestContext,
    readonly kafka: Kafka,
  ) {}

  static async create(name: string): Promise<ComplianceE2e> {
    const ctx = await createTestContext(name);
    const kafka = new Kafka({
      clientId: `${name}-${randomUUID()}`,
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const e2e = new ComplianceE2e(ctx, kafka);
    e2e.stops.push(() => ctx.dispose());
    return e2e;
  }

  /** Creates the file's planning topic and connects a producer to it. */
  async planningEvents(partitions = 1): Promise<{ topic: string; producer: Producer }> {
    const topic = this.ctx.topic('planning-events');
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const producer = this.kafka.producer();
    await producer.connect();
    this.stops.push(() => producer.disconnect());
    this.planningTopic = topic;
    this.producer = producer;
    return { topic, producer };
  }

  /** Sends one planning event to the file's planning topic. */
  async publishPlanning(type: string, key: string, data: object, time?: string): Promise<void> {
    if (!this.producer || !this.planningTopic) throw new Error('no planningEvents() yet');
    await this.producer.send({
      topic: this.planningTopic,
      messages: [planningMessage(type, key, data, time)],
    });
  }

  /**
   * Reads compliance's GRC feed from now on (it is shared by every run) and keeps, in arrival
   * order, the events `keep` accepts; resolves once the listener has joined its group.
   */
  async grcFeed(keep: (event: GrcEvent) => boolean): Promise<GrcEvent[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    await admin
      .createTopics({ topics: [{ topic: COMPLIANCE_EVENTS_TOPIC, numPartitions: 3 }] })
      .catch(() => false);
    await admin.disconnect();
    const consumer = this.kafka.consumer({ groupId: this.ctx.groupId('compliance-events') });
    this.stops.push(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic: COMPLIANCE_EVENTS_TOPIC, fromBeginning: false });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    const seen: GrcEvent[] = [];
    await consumer.run({
      eachMessage: ({ message }) => {
        const header = (k: string) => message.headers?.[k]?.toString();
        const event: GrcEvent = {
          key: message.key?.toString() ?? '',
          type: header('ce_type') ?? '',
          correlationId: header('ce_correlationid'),
          data: JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>,
        };
        if (keep(event)) seen.push(event);
        return Promise.resolve();
      },
    });
    await waitFor(() => joined, {
      timeoutMs: 60_000,
      description: 'the GRC feed listener to join',
    });
    return seen;
  }

  /** Starts the compliance service on the file's topics. */
  async start(options: ComplianceStart = {}): Promise<TestService> {
    const definition = options.clock
      ? { ...complianceService, clock: options.clock }
      : complianceService;
    const service = await startTestService(definition, this.ctx, {
      ...isolatedTopicSettings(this.ctx, {
        ...(this.planningTopic ? { planning: this.planningTopic } : {}),
        ...(options.ledger ? { ledger: options.ledger } : {}),
      }),
      ...options.env,
    });
    this.stops.push(() => service.stop());
    return service;
  }

  /** Stops what was started, the last first (afterAll). */
  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}
