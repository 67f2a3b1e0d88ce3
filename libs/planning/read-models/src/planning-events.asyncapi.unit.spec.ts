import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parse } from 'yaml';
import { PLANNING_EVENT_TYPES } from './projected-event';
import {
  DEFAULT_PLANNING_POLICY,
  allocate,
  toAllocationCandidate,
} from '@trainyard/planning-domain';
import {
  PlanningScenario,
  planningLifecycle,
  registration,
} from './test-support/planning-lifecycle.scenario';

// The AsyncAPI document is the published contract of trainyard.planning.events.v1: GRC tools and
// other services code against it, so every event the domain emits must validate against it.
const DOCUMENT_PATH = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'docs',
  'asyncapi',
  'planning.asyncapi.yaml',
);

interface AsyncApiDocument {
  asyncapi: string;
  channels: { planningEvents: { address: string; messages: Record<string, unknown> } };
  components: {
    messages: Record<string, { payload: { $ref: string } }>;
    schemas: Record<string, unknown>;
  };
}

describe('docs/asyncapi/planning.asyncapi.yaml', () => {
  const document = parse(readFileSync(DOCUMENT_PATH, 'utf8')) as AsyncApiDocument;
  // zod resolves local `#/definitions/…` refs only, so the component schemas are re-rooted there.
  const definitions = JSON.parse(
    JSON.stringify(document.components.schemas).replaceAll(
      '#/components/schemas/',
      '#/definitions/',
    ),
  ) as Record<string, unknown>;
  const schemaOf = (ref: string) =>
    z.fromJSONSchema(
      { $ref: ref.replace('#/components/schemas/', '#/definitions/'), definitions },
      {
        defaultTarget: 'draft-7',
      },
    );

  it('is an AsyncAPI 3 document for trainyard.planning.events.v1 with one message per planning event type', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.channels.planningEvents.address).toBe('trainyard.planning.events.v1');
    expect(Object.keys(document.channels.planningEvents.messages).sort()).toEqual(
      [...PLANNING_EVENT_TYPES].sort(),
    );
    expect(Object.keys(document.components.messages).sort()).toEqual(
      [...PLANNING_EVENT_TYPES].sort(),
    );
  });

  it('documents a payload schema every event of a whole lifecycle validates against', () => {
    const failures: string[] = [];
    for (const { event } of planningLifecycle().events) {
      const ref = document.components.messages[event.type]?.payload.$ref ?? '';
      const result = schemaOf(ref).safeParse(event.data);
      if (!result.success) failures.push(`${event.type}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('documents the version skew a commit records when included workloads ship different library versions', () => {
    const s = new PlanningScenario();
    const ids = ['W-A', 'W-B'];
    ids.forEach((id, i) =>
      s.workload({
        type: 'RegisterWorkload',
        data: registration(id, {
          team: i === 0 ? 'payments' : 'ledger',
          libraries: [{ name: 'auth-client', version: i === 0 ? '1.3.1' : '1.2.4' }],
        }),
        metadata: s.meta(),
      }),
    );
    s.release({
      type: 'PlanRelease',
      data: {
        releaseId: 'R-S',
        trainId: 'main',
        window: { start: '2026-12-01T08:00:00.000Z', end: '2026-12-15T18:00:00.000Z' },
      },
      metadata: s.meta(),
    });
    const plan = allocate({
      release: { releaseId: 'R-S', trainId: 'main' },
      candidates: ids.map((id) => {
        const state = s.workloadState(id);
        if (state.status === 'Unregistered') throw new Error(id);
        return toAllocationCandidate(state.profile);
      }),
      capacityByTeam: { payments: 20, ledger: 20 },
      policy: {
        ...DEFAULT_PLANNING_POLICY,
        allocation: { teamCapShare: 1, techDebtReserveShare: 0 },
      },
    });
    s.release({ type: 'CommitScope', data: { releaseId: 'R-S', plan }, metadata: s.meta() });
    const committed = s.events.find((e) => e.event.type === 'ReleaseScopeCommitted')?.event;
    expect(committed?.data).toMatchObject({
      versionSkews: [{ library: 'auth-client', target: '1.3.1' }],
    });
    const result = schemaOf('#/components/schemas/ReleaseScopeCommitted').safeParse(
      committed?.data,
    );
    expect(result.error?.message).toBeUndefined();
    const broken = {
      ...(committed?.data as object),
      versionSkews: [{ library: 'auth-client', target: '1.3.1' }],
    };
    expect(schemaOf('#/components/schemas/ReleaseScopeCommitted').safeParse(broken).success).toBe(
      false,
    );
  });

  it('refuses a payload that lacks a required field (the schemas are not vacuous)', () => {
    const deferred = schemaOf('#/components/schemas/WorkloadDeferred');
    const valid = {
      workloadId: 'W-1',
      team: 't',
      reason: 'r',
      deferralCount: 1,
      deferredBy: 'a',
      deferredAt: '2026-11-02T09:00:00Z',
    };
    expect(deferred.safeParse(valid).success).toBe(true);
    expect(deferred.safeParse({ ...valid, reason: undefined }).success).toBe(false);
    expect(
      schemaOf('#/components/schemas/WorkloadRegistered').safeParse({ workloadId: 'W-1' }).success,
    ).toBe(false);
  });
});
