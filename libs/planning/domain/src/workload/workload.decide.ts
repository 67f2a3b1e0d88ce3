import {
  DEPENDENCY_CYCLE_RULE,
  findCycleThrough,
  formatCycle,
} from '../dependencies/dependency-graph';
import {
  API_VERSION_SUNSET_RULE,
  sunsetApiVersion,
  type ApiVersionLifecycle,
} from '../dependencies/api-deprecation';
import { assertSharedLibraries } from '../dependencies/version-skew';
import { assessRisk, classifyChange } from '../policy/classification';
import type { PlanningPolicy } from '../policy/planning-policy';
import {
  CHANGE_TYPES,
  COMPONENT_KINDS,
  DEFAULT_PLANNING_POLICY,
  REGULATED_DATA_CLASSES,
  SEVERITY_MAX,
  SEVERITY_MIN,
} from '../policy/planning-policy';
import { routeWorkload } from '../policy/routing';
import {
  assertMetadata,
  assertNonEmpty,
  AlreadyExistsError,
  isSealedPersonalData,
  NotFoundError,
  RuleViolation,
  ValidationError,
  validateAll,
  validateEach,
} from '@trainyard/kernel';
import { assertFibonacciPoint } from '../shared/fibonacci';
import type {
  CompleteWorkload,
  DeferWorkload,
  PlanWorkload,
  RegisterWorkload,
  RegisterWorkloadData,
  WithdrawWorkload,
  WorkloadCommand,
} from './workload.commands';
import type { WorkloadEvent } from './workload.events';
import type { Workload } from './workload.state';

export interface WorkloadDecisionContext {
  readonly policy: PlanningPolicy;
  /** `dependsOn` of already registered workloads, from a read model, to refuse cycles at registration. */
  readonly knownDependencies?: ReadonlyMap<string, readonly string[]>;
  /** Announced API deprecations: a registration may not consume a version already removed. */
  readonly apiLifecycles?: readonly ApiVersionLifecycle[];
}

const DEFAULT_CONTEXT: WorkloadDecisionContext = { policy: DEFAULT_PLANNING_POLICY };

type Registered = Exclude<Workload, { status: 'Unregistered' }>;

const registered = (state: Workload, workloadId: string): Registered => {
  if (state.status === 'Unregistered') throw new NotFoundError('workload', workloadId);
  if (state.profile.workloadId !== workloadId)
    throw new ValidationError(
      'workloadId',
      `command for ${workloadId} sent to workload ${state.profile.workloadId}`,
    );
  return state;
};

// Every field is checked, and every invalid one reported (validateAll): a client fixes a
// registration in one round trip, not one field per attempt.
const validateRegistration = (data: RegisterWorkloadData): void =>
  validateAll(
    () => assertNonEmpty('workloadId', data.workloadId),
    () => assertNonEmpty('title', data.title),
    () => assertNonEmpty('team', data.team),
    () => {
      // Personal data is recorded only sealed (issue 13 item 6): plaintext here would be un-erasable.
      if (data.requester !== undefined && !isSealedPersonalData(data.requester))
        throw new ValidationError(
          'requester',
          'requester must be sealed personal data, never plaintext',
        );
    },
    () => {
      if (data.components === undefined || data.components.length === 0)
        throw new ValidationError('components', 'components must name at least one component');
      const names = new Set<string>();
      validateEach('components', data.components, (component, path) =>
        validateAll(
          () => assertNonEmpty(`${path}.name`, component.name),
          () => {
            if (!COMPONENT_KINDS.includes(component.kind))
              throw new ValidationError(
                `${path}.kind`,
                `${path}.kind must be one of ${COMPONENT_KINDS.join(', ')}`,
              );
          },
          () => {
            if (typeof component.name !== 'string' || component.name.trim() === '') return;
            if (names.has(component.name))
              throw new ValidationError(
                `${path}.name`,
                `component ${component.name} is listed twice`,
              );
            names.add(component.name);
          },
        ),
      );
    },
    () =>
      validateEach('regulatedData', data.regulatedData, (kind, path) => {
        if (!REGULATED_DATA_CLASSES.includes(kind))
          throw new ValidationError(
            path,
            `regulatedData must be among ${REGULATED_DATA_CLASSES.join(', ')}`,
          );
      }),
    () => assertFibonacciPoint('jobSize', data.jobSize),
    () => assertFibonacciPoint('businessValue', data.businessValue),
    () => assertFibonacciPoint('timeCriticality', data.timeCriticality),
    () => assertFibonacciPoint('riskReduction', data.riskReduction),
    () => {
      if (data.changeType !== undefined && !CHANGE_TYPES.includes(data.changeType))
        throw new ValidationError(
          'changeType',
          `changeType must be one of ${CHANGE_TYPES.join(', ')}`,
        );
    },
    () => {
      const deps = new Set<string>();
      validateEach('dependsOn', data.dependsOn, (dep, path) => {
        assertNonEmpty(path, dep);
        if (deps.has(dep)) throw new ValidationError(path, `dependency ${dep} is listed twice`);
        deps.add(dep);
      });
    },
    () => {
      if (data.apiContract) {
        assertNonEmpty('apiContract.api', data.apiContract.api);
        assertNonEmpty('apiContract.version', data.apiContract.version);
      }
    },
    () => {
      const consumed = new Set<string>();
      validateEach('consumedApis', data.consumedApis ?? [], (c, path) => {
        validateAll(
          () => assertNonEmpty(`${path}.api`, c.api),
          () => assertNonEmpty(`${path}.version`, c.version),
        );
        const key = `${c.api}@${c.version}`;
        if (consumed.has(key))
          throw new ValidationError(path, `${c.api} ${c.version} is listed twice`);
        consumed.add(key);
      });
    },
    () => assertSharedLibraries('libraries', data.libraries),
    () => {
      if (typeof data.schemaChange !== 'boolean')
        throw new ValidationError('schemaChange', 'schemaChange must be a boolean');
    },
    () => {
      if (data.featureFlag !== undefined) assertNonEmpty('featureFlag', data.featureFlag);
    },
    () => {
      if (
        data.severity !== undefined &&
        !(
          Number.isInteger(data.severity) &&
          data.severity >= SEVERITY_MIN &&
          data.severity <= SEVERITY_MAX
        )
      )
        throw new ValidationError(
          'severity',
          `severity must be an integer ${SEVERITY_MIN}..${SEVERITY_MAX}`,
        );
    },
    () => {
      if (data.linkedIncident !== undefined) assertNonEmpty('linkedIncident', data.linkedIncident);
    },
  );

export const registerWorkload = (
  command: RegisterWorkload,
  state: Workload,
  context: WorkloadDecisionContext = DEFAULT_CONTEXT,
): WorkloadEvent[] => {
  assertMetadata(command.metadata);
  const data = command.data;
  if (state.status !== 'Unregistered')
    throw new AlreadyExistsError(
      'workload',
      state.profile.workloadId,
      `workload ${state.profile.workloadId} is already registered`,
    );
  validateRegistration(data);
  const cycle = findCycleThrough(
    data.workloadId,
    data.dependsOn,
    context.knownDependencies ?? new Map(),
  );
  if (cycle)
    throw new RuleViolation(DEPENDENCY_CYCLE_RULE, `dependency cycle: ${formatCycle(cycle)}`);
  const removed = sunsetApiVersion(
    data.consumedApis,
    context.apiLifecycles ?? [],
    command.metadata.now,
  );
  if (removed)
    throw new RuleViolation(
      API_VERSION_SUNSET_RULE,
      `${removed.api} ${removed.version} was removed at ${removed.sunsetAt}; consume a supported version`,
    );
  const { policy } = context;
  const classification = classifyChange(data, policy);
  const risk = assessRisk(data, classification.changeType, policy);
  const route = routeWorkload(data, policy);
  return [
    {
      type: 'WorkloadRegistered',
      data: {
        ...data,
        classification,
        riskTier: risk.tier,
        approvalPath: risk.approvalPath,
        riskReasons: risk.reasons,
        route: { trackId: route.trackId, trackKind: route.trackKind },
        policyVersion: policy.version,
        registeredBy: command.metadata.actor,
        registeredAt: command.metadata.now,
      },
    },
  ];
};

export const planWorkload = (command: PlanWorkload, state: Workload): WorkloadEvent[] => {
  assertMetadata(command.metadata);
  const { workloadId, releaseId } = command.data;
  assertNonEmpty('releaseId', releaseId);
  const current = registered(state, workloadId);
  switch (current.status) {
    case 'Planned':
      if (current.releaseId === releaseId) return [];
      throw new RuleViolation(
        'workload-planned-once',
        `workload ${workloadId} is already planned in release ${current.releaseId}`,
      );
    case 'Completed':
    case 'Withdrawn':
      throw new RuleViolation(
        'workload-open',
        `workload ${workloadId} is ${current.status.toLowerCase()}`,
      );
    case 'Backlog':
      return [
        {
          type: 'WorkloadPlanned',
          data: {
            workloadId,
            team: current.profile.team,
            releaseId,
            plannedBy: command.metadata.actor,
            plannedAt: command.metadata.now,
          },
        },
      ];
  }
};

export const deferWorkload = (command: DeferWorkload, state: Workload): WorkloadEvent[] => {
  assertMetadata(command.metadata);
  const { workloadId, releaseId, reason } = command.data;
  assertNonEmpty('reason', reason);
  const current = registered(state, workloadId);
  if (current.status === 'Completed' || current.status === 'Withdrawn')
    throw new RuleViolation(
      'workload-open',
      `workload ${workloadId} is ${current.status.toLowerCase()}`,
    );
  if (current.status === 'Planned' && releaseId !== undefined && releaseId !== current.releaseId)
    throw new RuleViolation(
      'workload-release-matches',
      `workload ${workloadId} is planned in release ${current.releaseId}, not ${releaseId}`,
    );
  // A retried deferral from the same release must not inflate the count.
  if (
    current.status === 'Backlog' &&
    releaseId !== undefined &&
    current.lastDeferredFrom === releaseId
  )
    return [];
  return [
    {
      type: 'WorkloadDeferred',
      data: {
        workloadId,
        team: current.profile.team,
        ...(releaseId !== undefined ? { releaseId } : {}),
        reason,
        deferralCount: current.deferralCount + 1,
        deferredBy: command.metadata.actor,
        deferredAt: command.metadata.now,
      },
    },
  ];
};

export const completeWorkload = (command: CompleteWorkload, state: Workload): WorkloadEvent[] => {
  assertMetadata(command.metadata);
  const { workloadId, releaseId, completedJobSize } = command.data;
  if (!(Number.isFinite(completedJobSize) && completedJobSize > 0))
    throw new ValidationError('completedJobSize', 'completedJobSize must be a positive number');
  const current = registered(state, workloadId);
  if (current.status === 'Completed') {
    if (current.releaseId === releaseId) return [];
    throw new RuleViolation(
      'workload-completed-once',
      `workload ${workloadId} was completed in release ${current.releaseId}`,
    );
  }
  if (current.status !== 'Planned')
    throw new RuleViolation(
      'complete-planned-only',
      `workload ${workloadId} is not planned in a release`,
    );
  if (current.releaseId !== releaseId)
    throw new RuleViolation(
      'workload-release-matches',
      `workload ${workloadId} is planned in release ${current.releaseId}, not ${releaseId}`,
    );
  return [
    {
      type: 'WorkloadCompleted',
      data: {
        workloadId,
        team: current.profile.team,
        releaseId,
        completedJobSize,
        completedAt: command.metadata.now,
      },
    },
  ];
};

export const withdrawWorkload = (command: WithdrawWorkload, state: Workload): WorkloadEvent[] => {
  assertMetadata(command.metadata);
  const { workloadId } = command.data;
  const current = registered(state, workloadId);
  if (current.status === 'Withdrawn') return [];
  if (current.status === 'Completed')
    throw new RuleViolation('workload-open', `workload ${workloadId} is completed`);
  if (current.status === 'Planned')
    throw new RuleViolation(
      'withdraw-unplanned-only',
      `workload ${workloadId} is planned in release ${current.releaseId}; exclude it from the release first`,
    );
  const reason = assertNonEmpty('reason', command.metadata.reason);
  return [
    {
      type: 'WorkloadWithdrawn',
      data: {
        workloadId,
        team: current.profile.team,
        reason,
        withdrawnBy: command.metadata.actor,
        withdrawnAt: command.metadata.now,
      },
    },
  ];
};

export const decideWorkload = (
  command: WorkloadCommand,
  state: Workload,
  context: WorkloadDecisionContext = DEFAULT_CONTEXT,
): readonly WorkloadEvent[] => {
  switch (command.type) {
    case 'RegisterWorkload':
      return registerWorkload(command, state, context);
    case 'PlanWorkload':
      return planWorkload(command, state);
    case 'DeferWorkload':
      return deferWorkload(command, state);
    case 'CompleteWorkload':
      return completeWorkload(command, state);
    case 'WithdrawWorkload':
      return withdrawWorkload(command, state);
    default: {
      const unknown: never = command;
      throw new ValidationError('type', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
};
