export interface TeamDependency {
  readonly dependentTeam: string;
  readonly providerTeam: string;
  readonly edges: number;
  /** [dependent workload, provider workload], sorted. */
  readonly pairs: readonly (readonly [string, string])[];
  /** Work crosses a team boundary, so the two teams need an integration-test slot together. */
  readonly integrationTestingRequired: boolean;
}

export interface TeamDependencyMatrix {
  readonly teams: readonly string[];
  /** Sparse: only team pairs with at least one edge, sorted by dependent then provider team. */
  readonly cells: readonly TeamDependency[];
  readonly crossTeamEdges: number;
  /** Dependencies on workloads not in the input, so their team is unknown. */
  readonly unresolved: readonly (readonly [string, string])[];
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byPair = (a: readonly [string, string], b: readonly [string, string]): number =>
  byText(a[0], b[0]) || byText(a[1], b[1]);

/** Team × team dependency matrix over workloads; O(n + e log e). */
export const teamDependencyMatrix = (
  workloads: readonly {
    readonly workloadId: string;
    readonly team: string;
    readonly dependsOn: readonly string[];
  }[],
): TeamDependencyMatrix => {
  const teamOf = new Map(workloads.map((w) => [w.workloadId, w.team]));
  const cells = new Map<
    string,
    { dependentTeam: string; providerTeam: string; pairs: [string, string][] }
  >();
  const unresolved: [string, string][] = [];
  for (const w of workloads) {
    for (const dep of new Set(w.dependsOn)) {
      const provider = teamOf.get(dep);
      if (provider === undefined) {
        unresolved.push([w.workloadId, dep]);
        continue;
      }
      const key = `${w.team}\u0000${provider}`;
      const cell = cells.get(key) ?? { dependentTeam: w.team, providerTeam: provider, pairs: [] };
      cell.pairs.push([w.workloadId, dep]);
      cells.set(key, cell);
    }
  }
  const sorted = [...cells.values()]
    .sort(
      (a, b) => byText(a.dependentTeam, b.dependentTeam) || byText(a.providerTeam, b.providerTeam),
    )
    .map((c) => ({
      dependentTeam: c.dependentTeam,
      providerTeam: c.providerTeam,
      edges: c.pairs.length,
      pairs: c.pairs.sort(byPair),
      integrationTestingRequired: c.dependentTeam !== c.providerTeam,
    }));
  return {
    teams: [...new Set(workloads.map((w) => w.team))].sort(byText),
    cells: sorted,
    crossTeamEdges: sorted
      .filter((c) => c.integrationTestingRequired)
      .reduce((sum, c) => sum + c.edges, 0),
    unresolved: unresolved.sort(byPair),
  };
};
