import { Body, Controller, HttpCode, Post, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, RequirePermission } from '@trainyard/platform';
import { EvidenceBundleService, parseBundleRequest } from './evidence-bundle.service';

export class EvidenceBundleBodyDto {
  @ApiPropertyOptional({ description: 'A release: its changes and their whole trail' })
  releaseId?: string;
  @ApiPropertyOptional() workloadId?: string;
  @ApiPropertyOptional({ description: 'With `to`: events in [from, to), ISO-8601' }) from?: string;
  @ApiPropertyOptional() to?: string;
  @ApiProperty({ required: false, type: [String], description: 'Default: every service here' })
  services?: string[];
}

/** Only the header setter of the HTTP response is used. */
interface HeaderSink {
  setHeader(name: string, value: string): void;
}

/** Evidence bundles over the API: the same bundle `npm run audit:export -- --archive` writes. */
@ApiTags('compliance')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403, 409)
@Controller('api/compliance/evidence-bundles')
export class EvidenceBundleHttpController {
  constructor(private readonly bundles: EvidenceBundleService) {}

  @Post()
  @HttpCode(200)
  @RequirePermission('compliance:evidence:export')
  @ApiOperation({
    summary:
      'Export a signed evidence bundle (tar) for a release, a workload, a period or the whole history; verify it with `npm run audit:verify-bundle -- <file> --expect-key <X-Bundle-Key-Fingerprint>`',
  })
  @ApiBody({ type: EvidenceBundleBodyDto, required: false })
  @ApiProduces('application/x-tar')
  @ApiResponse({ status: 200, description: 'The bundle as a tar archive' })
  async export(@Body() body: unknown, @Res({ passthrough: true }) response: HeaderSink) {
    const request = parseBundleRequest(body === '' ? undefined : body);
    const bundle = await this.bundles.export(request);
    response.setHeader('x-bundle-key-fingerprint', bundle.fingerprint);
    response.setHeader('x-bundle-key-ephemeral', String(bundle.ephemeralKey));
    response.setHeader('x-bundle-services', bundle.services.join(','));
    return new StreamableFile(bundle.archive, {
      type: 'application/x-tar',
      disposition: 'attachment; filename="evidence-bundle.tar"',
      length: bundle.archive.length,
    });
  }
}
