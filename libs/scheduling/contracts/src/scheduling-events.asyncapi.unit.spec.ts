import { toIntegrationCloudEventMessage } from '@trainyard/messaging';
import {
  calendarEntryDecider,
  componentDecider,
  createComponentTree,
  DEFAULT_DURATION_POLICY,
  DEFAULT_RELEASE_TARGET_POLICY,
  deploymentPlanDecider,
  slotPlacementOver,
  type CalendarEntryDefinition,
  type DeploymentPlanCommand,
  type DeploymentPlanDecisionContext,
  type DeploymentPlanEvent,
  type PlacementContext,
} from '@trainyard/scheduling-domain';
import { asyncApiContract, storedEventOf } from '@trainyard/testing';
import {
  SCHEDULING_ASYNCAPI_ID,
  SCHEDULING_EVENT_SOURCE,
  SCHEDULING_EVENTS_TOPIC,
  JOB_DEFINITION_INTEGRATION_EVENTS,
  OVERRIDE_INTEGRATION_EVENTS,
  JOB_RUN_INTEGRATION_EVENTS,
  SCHEDULING_INTEGRATION_EVENTS,
  schedulingCloudEventType,
  schedulingDataschema,
  schedulingIntegrationEventOf,
  toIntegrationEvent,
  type SchedulingDomainEvent,
} from './index';

// The AsyncAPI document is the published contract of trainyard.scheduling.events.v1: GRC tools and
// other services code against it, so every event scheduling publishes (its domain events through
// the contract mapping) must validate against it, headers included.
const contract = asyncApiContract('scheduling.asyncapi.yaml');

/** A stored event as the outbox relay reads it, for a domain event of the scenario. */
const stored = (event: SchedulingDomainEvent, streamVersion: number, n: number) =>
  storedEventOf(event, n, {
    streamId: `scheduling-stream-${n}`,
    streamVersion,
    optionalHeaders: true,
  });

const at = (iso: string) => Date.parse(iso);

/**
 * A deployment plan over the real placement engine: R-1 is placed past a freeze (so its slots carry
 * rejections) with an owner, then re-placed when a freeze is added later; R-2 finds no window
 * before its deadline.
 */
const deploymentPlanLifecycle = (): { event: DeploymentPlanEvent; streamVersion: number }[] => {
  const calendar: PlacementContext = {
    deploymentWindows: [
      {
        id: 'W-morning',
        scope: {},
        start: at('2026-12-08T08:00:00Z'),
        end: at('2026-12-08T18:00:00Z'),
      },
    ],
    freezes: [
      { id: 'F-1', scope: {}, start: at('2026-12-08T08:00:00Z'), end: at('2026-12-08T09:00:00Z') },
    ],
  };
  const contextOver = (placement: PlacementContext): DeploymentPlanDecisionContext => ({
    targets: {
      ...DEFAULT_RELEASE_TARGET_POLICY,
      defaultTarget: {
        ...DEFAULT_RELEASE_TARGET_POLICY.defaultTarget,
        environments: ['production'],
        teamOwners: { payments: 'pat' },
      },
    },
    durations: DEFAULT_DURATION_POLICY,
    actualMinutes: {},
    placeSlot: slotPlacementOver(placement),
  });
  const metadata = { now: '2026-12-07T12:00:00.000Z', actor: 'scheduler' };
  const place = (releaseId: string): DeploymentPlanCommand => ({
    type: 'PlaceReleaseScope',
    data: {
      releaseId,
      trainId: 'T-1',
      workloads: [
        { workloadId: 'W-1', team: 'payments', jobSize: 3, changeType: 'defect-fix' },
        { workloadId: 'W-2', team: 'search', jobSize: 3, changeType: 'net-new-feature' },
      ],
      deploymentOrder: [
        { workloadId: 'W-1', wave: 1 },
        { workloadId: 'W-2', wave: 2 },
      ],
      committedAt: metadata.now,
    },
    metadata,
  });
  const run = (steps: [DeploymentPlanCommand, DeploymentPlanDecisionContext][]) => {
    const out: { event: DeploymentPlanEvent; streamVersion: number }[] = [];
    let state = deploymentPlanDecider.initialState();
    for (const [command, context] of steps)
      for (const event of deploymentPlanDecider.decide(command, state, context)) {
        state = deploymentPlanDecider.evolve(state, event);
        out.push({ event, streamVersion: out.length + 1 });
      }
    return out;
  };
  const laterFreeze: PlacementContext = {
    ...calendar,
    freezes: [
      ...(calendar.freezes ?? []),
      { id: 'F-9', scope: {}, start: at('2026-12-08T09:00:00Z'), end: at('2026-12-08T12:00:00Z') },
    ],
  };
  return [
    ...run([
      [place('R-1'), contextOver(calendar)],
      [
        {
          type: 'ReplaceDeployments',
          data: { releaseId: 'R-1', trigger: { kind: 'freeze-added', id: 'F-9' } },
          metadata,
        },
        contextOver(laterFreeze),
      ],
    ]),
    ...run([[place('R-2'), contextOver({ ...calendar, deploymentWindows: [] })]]),
  ];
};

/** Every scheduling domain event, decided by the deciders themselves. */
const schedulingLifecycle = () => {
  const metadata = { now: '2031-05-04T09:00:00.000Z', actor: 'alice', reason: 'why' };
  const definition: CalendarEntryDefinition = {
    id: 'win-1',
    kind: 'deployment-window',
    name: 'Nightly',
    zone: 'Europe/Berlin',
    start: '2031-05-04T22:00',
    duration: 'PT4H',
    recurrence: { rule: 'FREQ=WEEKLY;BYDAY=MO,WE', exceptions: ['2031-05-12T22:00'] },
    dstPolicy: { gap: 'shift', overlap: 'first' },
    scope: { trains: ['main'], environments: ['prod'] },
  };
  const events: { event: SchedulingDomainEvent; streamVersion: number }[] = [];
  let state = calendarEntryDecider.initialState();
  for (const command of [
    { type: 'DefineCalendarEntry' as const, data: { definition }, metadata },
    {
      type: 'ReviseCalendarEntry' as const,
      data: { definition: { ...definition, duration: 'PT5H' } },
      metadata,
    },
    { type: 'RetireCalendarEntry' as const, data: { entryId: 'win-1' }, metadata },
  ])
    for (const event of calendarEntryDecider.decide(command, state, {})) {
      state = calendarEntryDecider.evolve(state, event);
      events.push({ event, streamVersion: events.length + 1 });
    }
  for (const event of componentDecider.decide(
    { type: 'DeclareComponent', data: { componentId: 'db', parentId: 'platform' }, metadata },
    componentDecider.initialState(),
    { tree: createComponentTree() },
  ))
    events.push({ event, streamVersion: 1 });
  for (const { event, streamVersion } of deploymentPlanLifecycle())
    events.push({ event, streamVersion });
  return { events };
};

const firstOfLifecycle = () => {
  const first = schedulingLifecycle().events[0];
  if (!first) throw new Error('the lifecycle has no events');
  return first;
};

describe('docs/asyncapi/scheduling.asyncapi.yaml', () => {
  it('is a valid AsyncAPI document: @asyncapi/parser reports no error and no warning', async () => {
    // What the parser resolved agrees with the raw document the other tests read.
    expect(await contract.parsed()).toEqual({
      problems: [],
      id: SCHEDULING_ASYNCAPI_ID,
      channels: [SCHEDULING_EVENTS_TOPIC],
      messages: SCHEDULING_INTEGRATION_EVENTS.map((e) => e.type).sort(),
      withoutDataschemaHeader: [],
    });
  });

  it('documents one message per published event of the contract on trainyard.scheduling.events.v1, its payload the schema ce_dataschema names', () => {
    const { document } = contract;
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.id).toBe(SCHEDULING_ASYNCAPI_ID);
    expect(document.channels['schedulingEvents']?.address).toBe(SCHEDULING_EVENTS_TOPIC);
    expect(contract.undocumented(SCHEDULING_INTEGRATION_EVENTS, { whole: true })).toEqual([]);
    for (const event of SCHEDULING_INTEGRATION_EVENTS) {
      const [, pointer] = schedulingDataschema(event).split('#');
      expect(document.components.messages[event.type]?.payload?.$ref).toBe(`#${pointer}`);
    }
  });

  it('every domain event of a whole lifecycle is published as a mapped integration event whose Kafka message validates against the CloudEvents trait and the schema ce_dataschema names', () => {
    const lifecycle = schedulingLifecycle().events;
    const { problems, publications, internal } = contract.publishAll(
      lifecycle.map((e) => e.event),
      {
        service: 'scheduling',
        publish: schedulingIntegrationEventOf,
        stored: (event, n) => stored(event, lifecycle[n - 1]?.streamVersion ?? n, n),
      },
    );
    expect(internal).toEqual([]);
    expect(problems).toEqual([]);
    for (const { published, message } of publications)
      expect(message.headers).toMatchObject({
        ce_type: schedulingCloudEventType(published),
        ce_source: SCHEDULING_EVENT_SOURCE,
        ce_dataschema: schedulingDataschema(published),
      });
    const seen = new Set(publications.map((p) => `${p.published.type}.v${p.published.version}`));
    // With the override lifecycle (override-events.asyncapi.unit.spec.ts) the lifecycle covers
    // the whole catalogue, so no published event goes unchecked.
    // Job-run and job-definition events have their own specs (job-run-events.asyncapi.unit.spec.ts,
    // job-definition-events.asyncapi.unit.spec.ts).
    const overrideTypes = new Set(
      [
        ...OVERRIDE_INTEGRATION_EVENTS,
        ...JOB_RUN_INTEGRATION_EVENTS,
        ...JOB_DEFINITION_INTEGRATION_EVENTS,
      ].map((e) => e.type as string),
    );
    expect([...seen].sort()).toEqual(
      SCHEDULING_INTEGRATION_EVENTS.filter((e) => !overrideTypes.has(e.type))
        .map((e) => `${e.type}.v${e.version}`)
        .sort(),
    );
  });

  it('refuses a deployment-plan payload that drifted: an extra field, or a slot without its expected duration', () => {
    const scheduled = deploymentPlanLifecycle()
      .map(({ event }) => schedulingIntegrationEventOf(event))
      .find((e) => e?.type === 'DeploymentScheduled');
    if (scheduled?.type !== 'DeploymentScheduled') throw new Error('no DeploymentScheduled');
    const schema = contract.schemaOfDataschema(scheduled.dataschema);
    const data = JSON.parse(JSON.stringify(scheduled.data)) as {
      deployments: Record<string, unknown>[];
    };
    expect(schema.safeParse(data).success).toBe(true);
    expect(schema.safeParse({ ...data, internalScore: 1 }).success).toBe(false);
    const [first, ...rest] = data.deployments;
    const withoutDuration = Object.fromEntries(
      Object.entries(first ?? {}).filter(([k]) => k !== 'expectedDuration'),
    );
    expect(schema.safeParse({ ...data, deployments: [withoutDuration, ...rest] }).success).toBe(
      false,
    );
  });

  it('refuses headers that break the trait (the header schema is not vacuous)', () => {
    const { event, streamVersion } = firstOfLifecycle();
    const published = schedulingIntegrationEventOf(event)!;
    const { headers } = toIntegrationCloudEventMessage(
      stored(event, streamVersion, 1),
      published,
      'scheduling',
    );
    expect(contract.headersSchema.safeParse(headers).success).toBe(true);
    const without = (name: string) =>
      Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
    expect(contract.headersSchema.safeParse(without('ce_dataschema')).success).toBe(false);
    expect(contract.headersSchema.safeParse(without('ce_id')).success).toBe(false);
    expect(
      contract.headersSchema.safeParse({ ...headers, ce_source: '/trainyard/planning' }).success,
    ).toBe(false);
    expect(
      contract.headersSchema.safeParse({
        ...headers,
        ce_type: 'dev.trainyard.scheduling.CalendarEntryDefined',
      }).success,
    ).toBe(false);
  });

  it('publishes only the contract: a field the domain adds stays internal, and a type the mapping does not know is not published', () => {
    const { event } = firstOfLifecycle();
    // As if a refactor had added a field to the domain event that the contract does not have.
    const withInternalField = {
      ...event,
      data: { ...event.data, internalScore: 42 },
    } as unknown as SchedulingDomainEvent;
    expect(toIntegrationEvent(withInternalField)?.data).not.toHaveProperty('internalScore');
    expect(
      schedulingIntegrationEventOf({ type: 'CalendarEntryRescored', data: { entryId: 'E-1' } }),
    ).toBeUndefined();
  });
});
