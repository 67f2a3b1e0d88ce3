import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { complianceSampling } from '@trainyard/grpc-contracts';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { SamplingUseCases, type FindingView, type SampleView } from './sampling.use-cases';

export const SAMPLING_SERVICE = complianceSampling.SAMPLING_SERVICE_NAME;

const toProtoSample = (s: SampleView): complianceSampling.ComplianceSample => ({
  sampleId: s.sampleId,
  period: s.period,
  seed: s.seed,
  percent: s.percent,
  population: s.population,
  sampled: [...s.sampled],
  rulesVersion: s.rulesVersion,
  drawnAt: s.drawnAt,
  drawnBy: s.drawnBy,
  findingCount: s.findingCount,
});

const toProtoFinding = (f: FindingView): complianceSampling.ComplianceFinding => ({
  findingId: f.findingId,
  sampleId: f.sampleId,
  releaseId: f.releaseId,
  rule: f.rule,
  rulesVersion: f.rulesVersion,
  workloadId: f.workloadId,
  message: f.message,
  evidenceJson: JSON.stringify(f.evidence),
  raisedAt: f.raisedAt,
});

/** `trainyard.compliance.v1.SamplingService`. */
@Controller()
export class SamplingGrpcController implements complianceSampling.SamplingServiceController {
  constructor(
    private readonly sampling: SamplingUseCases,
    private readonly contexts: CommandContexts,
  ) {}

  @GrpcMethod(SAMPLING_SERVICE, 'drawSample')
  @RequirePermission('compliance:sample:write')
  async drawSample(
    request: complianceSampling.DrawSampleRequest,
    metadata: Metadata,
  ): Promise<complianceSampling.DrawSampleResponse> {
    const { sample, findings } = await this.sampling.draw(
      { period: request.period, percent: request.percent, seed: request.seed },
      this.contexts.forGrpc(metadata),
    );
    return { sample: toProtoSample(sample), findings: findings.map(toProtoFinding) };
  }

  @GrpcMethod(SAMPLING_SERVICE, 'listSamples')
  @RequirePermission('compliance:read')
  async listSamples(
    request: complianceSampling.ListSamplesRequest,
  ): Promise<complianceSampling.ListSamplesResponse> {
    const page = await this.sampling.samples({
      ...(request.period ? { period: request.period } : {}),
      ...(request.page ? { page: request.page } : {}),
      ...(request.pageSize ? { pageSize: request.pageSize } : {}),
    });
    return { ...page, items: page.items.map(toProtoSample) };
  }

  @GrpcMethod(SAMPLING_SERVICE, 'listFindings')
  @RequirePermission('compliance:read')
  async listFindings(
    request: complianceSampling.ListFindingsRequest,
  ): Promise<complianceSampling.ListFindingsResponse> {
    const page = await this.sampling.findings({
      ...(request.sampleId ? { sampleId: request.sampleId } : {}),
      ...(request.releaseId ? { releaseId: request.releaseId } : {}),
      ...(request.page ? { page: request.page } : {}),
      ...(request.pageSize ? { pageSize: request.pageSize } : {}),
    });
    return { ...page, items: page.items.map(toProtoFinding) };
  }
}
