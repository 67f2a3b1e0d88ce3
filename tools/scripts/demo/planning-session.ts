// The planning part of `npm run demo`: one run's calls to planning's public gRPC API, with the
// run's id suffix, bearer token and correlation id.
import { planning } from '@trainyard/grpc-contracts';
import { unary, type DemoClient } from './demo-grpc';
import type { DeprecatedApis, Spec } from './planning-portfolio';

const { ChangeType: C } = planning;

export interface PlanningDemoSession {
  /** The run's suffix: ids carry it, so the demo can run again. */
  readonly run: string;
  /** `name` with the run's suffix. */
  readonly id: (name: string) => string;
  readonly call: <T>(method: string, request: unknown) => Promise<T>;
  /** The run's deprecated APIs (per run, since an announced deprecation timeline never changes). */
  readonly deprecated: DeprecatedApis;
  /** Registers `spec` as a workload with the run's ids. */
  readonly register: (spec: Spec, reason: string) => Promise<planning.Workload>;
}

export function planningDemoSession(
  client: DemoClient,
  token: string,
  run: string,
): PlanningDemoSession {
  const id = (name: string): string => `${name}-${run}`;
  const call = <T>(method: string, request: unknown): Promise<T> =>
    unary<T>(client, method, request, token, { correlationId: `demo-${run}` });
  const deprecated: DeprecatedApis = {
    legacyPayments: id('payments-legacy-api'),
    accounts: id('accounts-api'),
  };
  const register = async (spec: Spec, reason: string): Promise<planning.Workload> => {
    const response = await call<planning.RegisterWorkloadResponse>('RegisterWorkload', {
      workloadId: id(spec.key),
      title: spec.title,
      team: spec.team,
      components: spec.components,
      regulatedData: spec.regulatedData ?? [],
      jobSize: spec.job,
      businessValue: spec.bv,
      timeCriticality: spec.tc,
      riskReduction: spec.rr,
      changeType: spec.changeType ?? C.CHANGE_TYPE_UNSPECIFIED,
      dependsOn: (spec.dependsOn ?? []).map(id),
      ...(spec.apiContract ? { apiContract: spec.apiContract } : {}),
      schemaChange: spec.schemaChange ?? false,
      libraries: spec.libraries ?? [],
      consumedApis: spec.consumedApis ?? [],
      featureFlag: spec.featureFlag ?? '',
      severity: spec.severity ?? 0,
      linkedIncident: spec.linkedIncident ?? '',
      reason,
    });
    if (!response.workload)
      throw new Error(`RegisterWorkload ${spec.key}: no workload in the response`);
    return response.workload;
  };
  return { run, id, call, deprecated, register };
}
