import { assertMetadata, ValidationError, type CommandMetadata } from '@trainyard/kernel';
import {
  CHANGE_CONTROL_RULES,
  checkRelease,
  type ComplianceFindingRaised,
  type SampledReleaseEvidence,
} from './change-control-rules';
import { drawSample, type ComplianceSampleDrawn } from './sample';

export type SampleEvent = ComplianceSampleDrawn | ComplianceFindingRaised;

export const SAMPLE_EVENT_TYPES: readonly SampleEvent['type'][] = [
  'ComplianceSampleDrawn',
  'ComplianceFindingRaised',
];

/** The stream of one drawn sample and its findings. */
export const sampleStream = (sampleId: string): string => `sample-${sampleId}`;

/** A month (`YYYY-MM`) or quarter (`YYYY-Qn`) as [from, to) ISO-8601 UTC instants. */
export function periodRange(period: string): { from: string; to: string } {
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (!month && !quarter)
    throw new ValidationError('period', 'period must be a month (YYYY-MM) or a quarter (YYYY-Qn).');
  const year = Number((month ?? quarter)![1]);
  const first = month ? Number(month[2]) - 1 : (Number(quarter![2]) - 1) * 3;
  const span = month ? 1 : 3;
  return {
    from: new Date(Date.UTC(year, first, 1)).toISOString(),
    to: new Date(Date.UTC(year, first + span, 1)).toISOString(),
  };
}

export interface DrawnSampleInput {
  readonly sampleId: string;
  readonly period: string;
  readonly percent: number;
  readonly seed: string;
  /** The period's release ids. */
  readonly population: readonly string[];
  /** What is known of each drawn release: every drawn release must be here. */
  readonly evidence: (releaseId: string) => SampledReleaseEvidence;
}

/**
 * The sample's events: what was drawn (with the seed, so anyone can redraw it) and one finding per
 * broken rule of each drawn release, with the evidence that showed it. Pure.
 */
export function decideSample(input: DrawnSampleInput, metadata: CommandMetadata): SampleEvent[] {
  assertMetadata(metadata);
  const sampled = drawSample(input);
  const drawn: ComplianceSampleDrawn = {
    type: 'ComplianceSampleDrawn',
    data: {
      sampleId: input.sampleId,
      period: input.period,
      seed: input.seed,
      percent: input.percent,
      population: new Set(input.population).size,
      sampled,
      rulesVersion: CHANGE_CONTROL_RULES.version,
      drawnAt: metadata.now,
    },
  };
  const findings = sampled.flatMap((releaseId) =>
    checkRelease(input.evidence(releaseId)).map((finding): ComplianceFindingRaised => ({
      type: 'ComplianceFindingRaised',
      data: { ...finding, sampleId: input.sampleId, raisedAt: metadata.now },
    })),
  );
  return [drawn, ...findings];
}
