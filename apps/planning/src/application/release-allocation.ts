import { Inject, Injectable } from '@nestjs/common';
import {
  allocate,
  capacityFromHistory,
  quarterToDate,
  type CapacityEstimate,
  type Plan,
  type PlanningPolicy,
  type Release,
} from '@trainyard/planning-domain';
import { PLANNING_POLICY } from '../config/planning-policy';
import { DecisionInputs } from './decision-inputs';
import { PlanningQueries, candidateOf } from './planning.queries';

/** Assembles the allocation input of a release in planning from the read models, and allocates. */
@Injectable()
export class ReleaseAllocation {
  constructor(
    private readonly queries: PlanningQueries,
    private readonly inputs: DecisionInputs,
    @Inject(PLANNING_POLICY) private readonly policy: PlanningPolicy,
  ) {}

  async allocate(
    release: Extract<Release, { status: 'Planning' }>,
  ): Promise<{ plan: Plan; capacity: CapacityEstimate }> {
    const rows = await this.queries.candidates(release.trainId);
    const candidates = rows.map(candidateOf);
    const ids = new Set(candidates.map((c) => c.workloadId));
    const outside = [...new Set(candidates.flatMap((c) => c.dependsOn))].filter(
      (id) => !ids.has(id),
    );
    const history = await this.queries.history(release.trainId);
    const plan = allocate({
      release: { releaseId: release.releaseId, trainId: release.trainId },
      candidates,
      history,
      policy: this.policy,
      releasedWorkloadIds: await this.queries.released(outside),
      negotiated: release.negotiated,
      // A workload shipping in this window may not consume an API version removed before it opens.
      apiLifecycles: await this.queries.apiLifecycles(),
      asOf: release.window.start,
      quarterToDate: quarterToDate(
        release.window.start,
        await this.inputs.committedReleases(release.trainId),
        release.releaseId,
      ),
    });
    const capacity = capacityFromHistory({
      history,
      teams: [...new Set(candidates.map((c) => c.team))],
      trainId: release.trainId,
      policy: this.policy,
    });
    return { plan, capacity };
  }
}
