// The audit ledger's pure part: what a CloudEvent from any service links to (workloads, releases,
// deployments, overrides, evaluations, …), who did it, the controls it cites and which kind of
// trail entry it is. No I/O and no clock: the consumer passes what it read from Kafka.
import type { ParsedCloudEvent } from '@trainyard/messaging';
import type {
  ReleaseClosedV1,
  ReleaseScopeCommittedV1,
  ReleaseWorkloadExcludedV1,
  ReleaseWorkloadIncludedV1,
} from '@trainyard/planning-contracts';
import type { FreezeOverrideRequestedV1 } from '@trainyard/scheduling-contracts';
import type { PolicyEvaluatedV1 } from '@trainyard/compliance-contracts';
import {
  KEY_CACHE_SIZE,
  MAX_LINKS,
  isActorKey,
  isId,
  isRecord,
  visitIdsAndControls,
  withExtensionControls,
} from './ledger-data-scan';

export { controlsOf, scanIdLinks } from './ledger-data-scan';

/** One reference an event carries: `kind` is the id's name without `Id`/`Ids`, kebab-case. */
export interface LedgerLink {
  readonly kind: string;
  readonly id: string;
}

/** Which part of a workload's trail an entry belongs to. */
export const TRAIL_KINDS = [
  'change-request',
  'release',
  'approval',
  'policy-evaluation',
  'schedule',
  'override',
  'package',
  'promotion',
  'rollback',
  'deployment',
  'metrics',
  'other',
] as const;
export type TrailKind = (typeof TRAIL_KINDS)[number];

/** What the ledger records of one event (besides its raw data). */
export interface LedgerFacts {
  readonly sourceService: string;
  readonly eventType: string;
  /** The person (or service) who did it: a `…By` field of the data, else the `actor` extension. */
  readonly actor?: string;
  readonly links: readonly LedgerLink[];
  readonly controls: readonly string[];
  readonly trailKind: TrailKind;
}

/** The kinds through which a workload's trail reaches events that do not name it. */
export const PIVOT_KINDS = ['release', 'deployment', 'override'] as const;

type Extractor = (data: Record<string, unknown>) => LedgerLink[];

const ids = (kind: string, values: readonly unknown[] | undefined): LedgerLink[] =>
  (values ?? []).filter(isId).map((id) => ({ kind, id }));

/**
 * The links of the event types whose contracts name them beyond `*Id` fields, by
 * `<service>.<EventType>` (schema version 1). The generic scan runs as well, so these only add.
 */
const KNOWN: Readonly<Record<string, Extractor>> = {
  'planning.ReleaseScopeCommitted': (data) => {
    const event = data as unknown as ReleaseScopeCommittedV1;
    return [
      ...ids('release', [event.releaseId]),
      ...ids(
        'workload',
        (event.workloads ?? []).map((entry) => entry?.workloadId),
      ),
      ...ids(
        'workload',
        (event.deploymentOrder ?? []).map((entry) => entry?.workloadId),
      ),
    ];
  },
  'planning.ReleaseWorkloadIncluded': (data) => {
    const event = data as unknown as ReleaseWorkloadIncludedV1;
    return [...ids('release', [event.releaseId]), ...ids('workload', [event.workloadId])];
  },
  'planning.ReleaseWorkloadExcluded': (data) => {
    const event = data as unknown as ReleaseWorkloadExcludedV1;
    return [...ids('release', [event.releaseId]), ...ids('workload', [event.workloadId])];
  },
  'planning.ReleaseClosed': (data) => {
    const event = data as unknown as ReleaseClosedV1;
    return ids('release', [event.releaseId]);
  },
  'compliance.PolicyEvaluated': (data) => {
    const event = data as unknown as PolicyEvaluatedV1;
    const subject = isRecord(event.subject) ? event.subject : undefined;
    return [
      ...ids('evaluation', [event.evaluationId]),
      ...ids('policy', [event.policyId]),
      // The evaluated subject is a workload, a release, an access request…: linked by its type.
      ...(subject && typeof subject.type === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(subject.type)
        ? ids(subject.type, [subject.id])
        : []),
      ...(isRecord(event.cause) ? ids('event', [event.cause.eventId]) : []),
    ];
  },
  // Access administration (issue 13 item 8): the role changed or granted, and whom a grant concerns.
  'compliance.AccessRolePut': (data) => (isRecord(data.role) ? ids('role', [data.role.name]) : []),
  'compliance.AccessRoleGranted': (data) => [
    ...ids('role', [data.role]),
    ...ids('principal', [data.subject]),
  ],
  'compliance.AccessRoleRevoked': (data) => [
    ...ids('role', [data.role]),
    ...ids('principal', [data.subject]),
  ],
  'compliance.AccessChangeProposed': (data) => [
    ...ids('role', [isRecord(data.role) ? data.role.name : data.roleName]),
    ...ids('principal', [data.subject]),
  ],
  'scheduling.FreezeOverrideRequested': (data) => {
    const event = data as unknown as FreezeOverrideRequestedV1;
    return [
      ...ids('override', [event.overrideId]),
      ...ids('freeze', [event.freezeId]),
      ...ids('train', event.scope?.trains),
      ...ids('component', event.scope?.components),
    ];
  },
};

/** Who did it: the first `…By` string field of the data (`approvedBy`, `committedBy`, …), else the `actor` extension. */
export const actorOf = (event: Pick<ParsedCloudEvent, 'data' | 'actor'>): string | undefined => {
  if (isRecord(event.data))
    for (const key in event.data) {
      if (!Object.hasOwn(event.data, key) || !isActorKey(key)) continue;
      const value = event.data[key];
      if (isId(value)) return value;
    }
  return event.actor;
};

/** The trail entry kind of an event type. */
export const trailKindOf = (service: string, eventType: string): TrailKind => {
  if (service === 'planning')
    return eventType.startsWith('Workload') ? 'change-request' : 'release';
  if (service === 'compliance') {
    if (eventType === 'PolicyEvaluated') return 'policy-evaluation';
    return /Approved|Rejected|Review/.test(eventType) ? 'approval' : 'other';
  }
  if (service === 'scheduling') {
    if (/Override(Approved|Rejected)|Review/.test(eventType)) return 'approval';
    return eventType.includes('Override') ? 'override' : 'schedule';
  }
  if (service === 'deployment') {
    if (/Package|Artifact|Build/.test(eventType)) return 'package';
    if (/Promot/.test(eventType)) return 'promotion';
    if (/Rollback|RolledBack/.test(eventType)) return 'rollback';
    if (/Approv/.test(eventType)) return 'approval';
    return 'deployment';
  }
  if (service === 'metrics') return 'metrics';
  return 'other';
};

const serviceOf = (event: Pick<ParsedCloudEvent, 'type' | 'source'>): string => {
  const fromType = /^dev\.trainyard\.([a-z][a-z0-9-]*)\./.exec(event.type)?.[1];
  if (fromType) return fromType;
  const fromSource = /^\/trainyard\/([a-z][a-z0-9-]*)$/.exec(event.source)?.[1];
  return fromSource ?? event.source;
};

/**
 * What an event's type and source alone decide, remembered per (type, source) like idKindOf's
 * keys: a topic repeats a few types millions of times, and the regexes cost more than the rest of
 * these facts. At most KEY_CACHE_SIZE pairs.
 */
interface TypeFacts {
  readonly sourceService: string;
  readonly eventType: string;
  readonly trailKind: TrailKind;
}
const typeFacts = new Map<string, TypeFacts>();
const typeFactsOf = (event: Pick<ParsedCloudEvent, 'type' | 'source' | 'eventType'>): TypeFacts => {
  const key = `${event.type}\u0000${event.source}\u0000${event.eventType ?? ''}`;
  const known = typeFacts.get(key);
  if (known) return known;
  const sourceService = serviceOf(event);
  const eventType = event.eventType ?? event.type;
  const facts = { sourceService, eventType, trailKind: trailKindOf(sourceService, eventType) };
  if (typeFacts.size < KEY_CACHE_SIZE) typeFacts.set(key, facts);
  return facts;
};

const byKindAndId = (a: LedgerLink, b: LedgerLink): number =>
  a.kind === b.kind ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.kind < b.kind ? -1 : 1;

/** Links seen up to this many are told apart by comparing, more through a Set of keys. */
const FEW_LINKS = 16;

/** The first MAX_LINKS distinct links of `found`, sorted by kind and id. */
const uniqueLinks = (found: readonly LedgerLink[]): LedgerLink[] => {
  const links: LedgerLink[] = [];
  const seen = found.length > FEW_LINKS ? new Set<string>() : undefined;
  for (const link of found) {
    if (links.length >= MAX_LINKS) break;
    if (seen) {
      const key = `${link.kind}\u0000${link.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
    } else if (links.some((l) => l.kind === link.kind && l.id === link.id)) continue;
    links.push(link);
  }
  return links.sort(byKindAndId);
};

/** Everything the ledger records of one event, deduplicated and in a stable order. */
export const ledgerFactsOf = (
  event: Pick<
    ParsedCloudEvent,
    'type' | 'source' | 'eventType' | 'schemaVersion' | 'data' | 'actor' | 'extensions'
  >,
): LedgerFacts => {
  const { sourceService, eventType, trailKind } = typeFactsOf(event);
  const known =
    event.schemaVersion === 1 && isRecord(event.data)
      ? KNOWN[`${sourceService}.${eventType}`]
      : undefined;
  const scanned: LedgerLink[] = [];
  const controls = new Set<string>();
  visitIdsAndControls(event.data, 0, scanned, controls);
  const found = known ? known(event.data as Record<string, unknown>) : [];
  found.push(...scanned);
  const actor = actorOf(event);
  return {
    sourceService,
    eventType,
    ...(actor !== undefined ? { actor } : {}),
    links: uniqueLinks(found),
    controls: withExtensionControls(controls, event.extensions ?? {}),
    trailKind,
  };
};
