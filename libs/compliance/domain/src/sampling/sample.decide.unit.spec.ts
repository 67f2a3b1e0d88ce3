import { ValidationError } from '@trainyard/kernel';
import {
  CHANGE_CONTROL_RULES,
  checkRelease,
  type SampledReleaseEvidence,
} from './change-control-rules';
import { decideSample, periodRange } from './sample.decide';

const NOW = '2031-06-01T09:00:00.000Z';
const meta = { now: NOW, actor: 'olga' };
const release = (
  releaseId: string,
  extra: Partial<SampledReleaseEvidence['workloads'][number]> = {},
): SampledReleaseEvidence => ({
  releaseId,
  committedAt: '2031-05-02T10:00:00.000Z',
  workloads: [
    {
      workloadId: `W-${releaseId}`,
      evaluations: [{ evaluationId: `E-${releaseId}`, result: 'allowed' }],
      ...extra,
    },
  ],
});

describe('change-control rules 2: approvals before deployment, separation of duties', () => {
  const deployment = {
    deployer: 'dave',
    deployedAt: '2031-05-03T10:00:00.000Z',
    evidenceId: 'ev-deploy',
  };

  it('a regulated workload deployed without an approved review is a finding with the deployment as evidence', () => {
    const findings = checkRelease(
      release('R-1', { regulated: true, signOffs: [], signers: [], deployments: [deployment] }),
    );
    expect(findings.map((f) => f.rule)).toEqual([
      'regulated-signed-off',
      'approved-before-deployment',
    ]);
    expect(findings[1]).toMatchObject({
      rulesVersion: CHANGE_CONTROL_RULES.version,
      evidence: { deployment, approvedAt: null, signers: [] },
    });
  });

  it('deployed before the approval: a finding; after it: none', () => {
    const signers = [
      { signer: 'ann', signedAt: '2031-05-03T09:00:00.000Z' },
      { signer: 'bob', signedAt: '2031-05-03T11:00:00.000Z' },
    ];
    const early = checkRelease(
      release('R-2', {
        regulated: true,
        signOffs: ['ann', 'bob'],
        signers,
        approvedAt: '2031-05-03T11:00:00.000Z',
        deployments: [deployment],
      }),
    );
    expect(early.map((f) => f.rule)).toEqual(['approved-before-deployment']);
    const late = checkRelease(
      release('R-2', {
        regulated: true,
        signOffs: ['ann', 'bob'],
        signers,
        approvedAt: '2031-05-03T11:00:00.000Z',
        deployments: [{ ...deployment, deployedAt: '2031-05-04T10:00:00.000Z' }],
      }),
    );
    expect(late).toEqual([]);
  });

  it('a signer who deployed is a finding naming both records', () => {
    const signOff = { signer: 'dave', signedAt: '2031-05-02T09:00:00.000Z' };
    const findings = checkRelease(
      release('R-3', { signers: [signOff], deployments: [deployment] }),
    );
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'separation-of-duties', evidence: { deployment, signOff } }),
    ]);
  });
});

describe('a drawn sample', () => {
  const population = ['R-1', 'R-2', 'R-3', 'R-4'];
  const evidence = (id: string) =>
    id === 'R-3' ? release(id, { regulated: true, signOffs: [] }) : release(id);

  it('records the seed and what was drawn, then one finding per broken rule of a drawn release', () => {
    const events = decideSample(
      { sampleId: 's-1', period: '2031-05', percent: 100, seed: 'may', population, evidence },
      meta,
    );
    expect(events[0]).toEqual({
      type: 'ComplianceSampleDrawn',
      data: {
        sampleId: 's-1',
        period: '2031-05',
        seed: 'may',
        percent: 100,
        population: 4,
        sampled: population,
        rulesVersion: CHANGE_CONTROL_RULES.version,
        drawnAt: NOW,
      },
    });
    expect(events.slice(1)).toEqual([
      {
        type: 'ComplianceFindingRaised',
        data: expect.objectContaining({
          sampleId: 's-1',
          releaseId: 'R-3',
          workloadId: 'W-R-3',
          rule: 'regulated-signed-off',
          evidence: { regulated: true, signOffs: [] },
          raisedAt: NOW,
        }),
      },
    ]);
  });

  it('the same seed draws the same releases; the findings only concern drawn releases', () => {
    const draw = (seed: string) =>
      decideSample(
        { sampleId: 's', period: '2031-05', percent: 50, seed, population, evidence },
        meta,
      );
    expect(draw('x')).toEqual(draw('x'));
    for (const seed of ['a', 'b', 'c', 'd']) {
      const [drawn, ...findings] = draw(seed);
      const sampled = drawn?.type === 'ComplianceSampleDrawn' ? drawn.data.sampled : [];
      expect(sampled).toHaveLength(2);
      expect(
        findings.map((f) => (f.type === 'ComplianceFindingRaised' ? f.data.releaseId : f.type)),
      ).toEqual(sampled.includes('R-3') ? ['R-3'] : []);
    }
  });

  it('periods are months or quarters in UTC', () => {
    expect(periodRange('2031-05')).toEqual({
      from: '2031-05-01T00:00:00.000Z',
      to: '2031-06-01T00:00:00.000Z',
    });
    expect(periodRange('2031-Q4')).toEqual({
      from: '2031-10-01T00:00:00.000Z',
      to: '2032-01-01T00:00:00.000Z',
    });
    expect(() => periodRange('2031-Q5')).toThrow(ValidationError);
  });
});
