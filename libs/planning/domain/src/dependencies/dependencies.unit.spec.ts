import {
  assertAcyclic,
  findCycleThrough,
  findDependencyCycle,
  formatCycle,
} from './dependency-graph';
import { flagDeprecatedApiUsage } from './api-deprecation';
import { teamDependencyMatrix } from './team-dependency-matrix';

const node = (workloadId: string, ...dependsOn: string[]) => ({ workloadId, dependsOn });

describe('dependency cycles', () => {
  it('finds none in a DAG', () => {
    expect(
      findDependencyCycle([node('A', 'B'), node('B', 'C'), node('C'), node('D', 'A', 'C')]),
    ).toBeUndefined();
  });

  it('names a cycle the same way whatever the input order', () => {
    const nodes = [node('C', 'A'), node('A', 'B'), node('B', 'C'), node('D', 'A')];
    expect(formatCycle(findDependencyCycle(nodes) ?? [])).toBe('A → B → C → A');
    expect(formatCycle(findDependencyCycle([...nodes].reverse()) ?? [])).toBe('A → B → C → A');
  });

  it('refuses a cycle as a rule violation', () => {
    expect(() => assertAcyclic([node('X', 'Y'), node('Y', 'X')])).toThrow(
      expect.objectContaining({
        kind: 'rule_violation',
        rule: 'dependency-acyclic',
        message: 'dependency cycle: X → Y → X',
      }) as Error,
    );
  });

  it('ignores edges to workloads outside the set', () => {
    expect(findDependencyCycle([node('A', 'OUTSIDE')])).toBeUndefined();
  });

  it('handles long chains without recursion', () => {
    const chain = Array.from({ length: 50_000 }, (_, i) =>
      node(`W-${i}`, ...(i > 0 ? [`W-${i - 1}`] : [])),
    );
    expect(findDependencyCycle(chain)).toBeUndefined();
  });

  it('finds the cycle a new registration would close', () => {
    const known = new Map([
      ['B', ['C']],
      ['C', ['NEW', 'D']],
    ]);
    expect(findCycleThrough('NEW', ['B'], known)).toEqual(['NEW', 'B', 'C']);
    expect(findCycleThrough('NEW', ['D'], known)).toBeUndefined();
  });
});

describe('team dependency matrix', () => {
  it('counts edges between teams and marks cross-team pairs for integration testing', () => {
    const matrix = teamDependencyMatrix([
      { workloadId: 'P-1', team: 'payments', dependsOn: ['L-1', 'L-2', 'P-2'] },
      { workloadId: 'P-2', team: 'payments', dependsOn: [] },
      { workloadId: 'L-1', team: 'ledger', dependsOn: ['EXT-9'] },
      { workloadId: 'L-2', team: 'ledger', dependsOn: [] },
    ]);
    expect(matrix).toEqual({
      teams: ['ledger', 'payments'],
      cells: [
        {
          dependentTeam: 'payments',
          providerTeam: 'ledger',
          edges: 2,
          pairs: [
            ['P-1', 'L-1'],
            ['P-1', 'L-2'],
          ],
          integrationTestingRequired: true,
        },
        {
          dependentTeam: 'payments',
          providerTeam: 'payments',
          edges: 1,
          pairs: [['P-1', 'P-2']],
          integrationTestingRequired: false,
        },
      ],
      crossTeamEdges: 2,
      unresolved: [['L-1', 'EXT-9']],
    });
  });
});

describe('API version deprecation', () => {
  const lifecycles = [
    {
      api: 'orders',
      version: 'v1',
      deprecatedAt: '2026-06-01T00:00:00Z',
      sunsetAt: '2026-12-01T00:00:00Z',
    },
    { api: 'orders', version: 'v2', deprecatedAt: '2027-06-01T00:00:00Z' },
  ];
  const consumers = [
    { consumer: 'checkout', api: 'orders', version: 'v1' },
    { consumer: 'billing', api: 'orders', version: 'v2' },
  ];

  it('flags consumers on a version past its deprecation date', () => {
    expect(flagDeprecatedApiUsage({ lifecycles, consumers, now: '2026-06-11T00:00:00Z' })).toEqual([
      {
        consumer: 'checkout',
        api: 'orders',
        version: 'v1',
        status: 'deprecated',
        deprecatedAt: '2026-06-01T00:00:00Z',
        sunsetAt: '2026-12-01T00:00:00Z',
        daysPastDeprecation: 10,
        message: 'checkout uses orders v1, deprecated 10 day(s) ago',
      },
    ]);
  });

  it('marks consumers past the sunset date', () => {
    const [flag] = flagDeprecatedApiUsage({ lifecycles, consumers, now: '2026-12-02T00:00:00Z' });
    expect(flag).toMatchObject({
      status: 'past-sunset',
      message: 'checkout still uses orders v1, removed at 2026-12-01T00:00:00Z',
    });
  });

  it('flags nobody before the deprecation date', () => {
    expect(flagDeprecatedApiUsage({ lifecycles, consumers, now: '2026-05-31T23:59:59Z' })).toEqual(
      [],
    );
  });
});
