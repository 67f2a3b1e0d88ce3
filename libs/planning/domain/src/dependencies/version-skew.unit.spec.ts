import { allocate } from '../allocation/allocate';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { candidate } from '../test-support/planning.fixtures';
import { assertSharedLibraries, findVersionSkew, type LibraryUser } from './version-skew';

const user = (workloadId: string, team: string, ...libs: [string, string][]): LibraryUser => ({
  workloadId,
  team,
  libraries: libs.map(([name, version]) => ({ name, version })),
});

describe('shared library version skew', () => {
  it('finds none when every workload ships the same version, or a library only one workload uses', () => {
    expect(
      findVersionSkew([
        user('W-1', 'payments', ['auth-client', '1.3.1']),
        user('W-2', 'checkout', ['auth-client', '1.3.1'], ['money', '2.0.0']),
        user('W-3', 'ledger'),
      ]),
    ).toEqual([]);
  });

  it('aligns workloads on an older patch of the same line with the newest version', () => {
    const [skew, ...rest] = findVersionSkew([
      user('W-2', 'checkout', ['auth-client', '1.3.0']),
      user('W-1', 'payments', ['auth-client', '1.3.1']),
    ]);
    expect(rest).toEqual([]);
    expect(skew).toEqual({
      library: 'auth-client',
      target: '1.3.1',
      versions: [
        { version: '1.3.0', workloadIds: ['W-2'] },
        { version: '1.3.1', workloadIds: ['W-1'] },
      ],
      teams: ['checkout', 'payments'],
      resolutions: [
        {
          version: '1.3.0',
          action: 'align',
          line: '1.3.x',
          workloadIds: ['W-2'],
          reason: 'W-2 on auth-client 1.3.0: align on 1.3.1 (same 1.3 line, patch-compatible)',
        },
      ],
      reason:
        'auth-client ships at 1.3.0, 1.3.1 in this release (teams checkout, payments): version skew, reconcile with 1.3.1',
    });
  });

  it('asks for a backport to an older line, comparing versions semantically (1.10 after 1.9), oldest first', () => {
    const [skew] = findVersionSkew([
      user('W-3', 'ledger', ['auth-client', '1.9.4']),
      user('W-1', 'payments', ['auth-client', '1.10.0']),
      user('W-4', 'ledger', ['auth-client', '0.9.0']),
      user('W-2', 'checkout', ['auth-client', '1.9.4']),
    ]);
    expect(skew?.target).toBe('1.10.0');
    expect(skew?.versions.map((v) => v.version)).toEqual(['0.9.0', '1.9.4', '1.10.0']);
    expect(skew?.resolutions).toEqual([
      expect.objectContaining({
        version: '0.9.0',
        action: 'backport',
        line: '0.9.x',
        workloadIds: ['W-4'],
      }),
      expect.objectContaining({
        version: '1.9.4',
        action: 'backport',
        line: '1.9.x',
        workloadIds: ['W-2', 'W-3'],
        reason:
          'W-2, W-3 on auth-client 1.9.4: backport the 1.10.0 fixes to 1.9.x as a patch release, or move them to 1.10.0 in this release',
      }),
    ]);
  });

  it('orders a prerelease before its release and lists libraries by name, whatever the input order', () => {
    const workloads = [
      user('W-1', 'a', ['zeta', '2.0.0'], ['alpha', '1.0.0']),
      user('W-2', 'b', ['zeta', '2.0.0-rc.1'], ['alpha', '1.1.0']),
    ];
    const forwards = findVersionSkew(workloads);
    expect(forwards.map((s) => [s.library, s.target])).toEqual([
      ['alpha', '1.1.0'],
      ['zeta', '2.0.0'],
    ]);
    expect(forwards[1]?.resolutions[0]).toMatchObject({ version: '2.0.0-rc.1', action: 'align' });
    expect(findVersionSkew([...workloads].reverse())).toEqual(forwards);
  });

  it('refuses a library without a name, a version that is not strict semver, and a library listed twice, naming the field', () => {
    expect(() => assertSharedLibraries('libraries', [{ name: '', version: '1.0.0' }])).toThrow(
      expect.objectContaining({ kind: 'validation', field: 'libraries[0].name' }) as Error,
    );
    for (const version of ['v1.2.0', '1.2', 'latest', ''])
      expect(() =>
        assertSharedLibraries('libraries', [
          { name: 'ok', version: '1.0.0' },
          { name: 'auth-client', version },
        ]),
      ).toThrow(expect.objectContaining({ field: 'libraries[1].version' }) as Error);
    expect(() =>
      assertSharedLibraries('libraries', [
        { name: 'auth-client', version: '1.0.0' },
        { name: 'auth-client', version: '1.1.0' },
      ]),
    ).toThrow(expect.objectContaining({ field: 'libraries[1].name' }) as Error);
    expect(() => assertSharedLibraries('libraries', undefined)).not.toThrow();
  });
});

describe('version skew in a release plan', () => {
  it('flags only the workloads allocation includes: a deferred one on another version is no skew', () => {
    const lib = (version: string) => [{ name: 'auth-client', version }];
    const plan = allocate({
      release: { releaseId: 'R-1', trainId: 'main' },
      candidates: [
        candidate({ workloadId: 'W-1', team: 'payments', jobSize: 3, libraries: lib('1.3.1') }),
        candidate({ workloadId: 'W-2', team: 'checkout', jobSize: 3, libraries: lib('1.2.4') }),
        candidate({ workloadId: 'W-3', team: 'ledger', jobSize: 20, libraries: lib('1.1.0') }),
      ],
      capacityByTeam: { payments: 5, checkout: 5, ledger: 5 },
      policy: {
        ...DEFAULT_PLANNING_POLICY,
        allocation: { teamCapShare: 1, techDebtReserveShare: 0 },
      },
    });
    expect(plan.entries.find((e) => e.workloadId === 'W-3')?.decision).toBe('deferred');
    expect(plan.versionSkews).toEqual([
      expect.objectContaining({
        library: 'auth-client',
        target: '1.3.1',
        versions: [
          { version: '1.2.4', workloadIds: ['W-2'] },
          { version: '1.3.1', workloadIds: ['W-1'] },
        ],
        resolutions: [
          expect.objectContaining({ version: '1.2.4', action: 'backport', line: '1.2.x' }),
        ],
      }),
    ]);
  });
});
