import type { ChangeType, ComponentKind, RegulatedDataClass } from './planning-policy';

export interface Component {
  readonly name: string;
  readonly kind: ComponentKind;
}

/** A shared library a workload builds and ships with, at a semantic version (`1.4.2`). */
export interface SharedLibrary {
  readonly name: string;
  readonly version: string;
}

export interface ApiContract {
  readonly api: string;
  readonly version: string;
}

/** The registration facts the policy rules look at. */
export interface WorkloadFacts {
  readonly team: string;
  readonly components: readonly Component[];
  readonly regulatedData: readonly RegulatedDataClass[];
  readonly changeType?: ChangeType; // the submitter's hint, checked by the rules
  readonly schemaChange: boolean;
  readonly apiContract?: ApiContract;
  readonly featureFlag?: string;
  readonly severity?: number;
  readonly linkedIncident?: string;
}
