import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, RequirePermission } from '@trainyard/platform';
import { REVIEW_KINDS, REVIEW_STATUSES, ReviewUseCases } from '../application/review.use-cases';
import { intParam, textParam } from './http-params';
import { ReviewPageDto, WorkloadReviewsDto } from './review.http-dto';

/** REST read model of change reviews and retrospective reviews. */
@ApiTags('compliance')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/compliance/reviews')
export class ReviewHttpController {
  constructor(private readonly reviews: ReviewUseCases) {}

  @Get()
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: 'Change and retrospective reviews, newest first' })
  @ApiQuery({ name: 'status', required: false, enum: REVIEW_STATUSES })
  @ApiQuery({ name: 'kind', required: false, enum: REVIEW_KINDS })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '1..200, default 50' })
  @ApiOkResponse({ type: ReviewPageDto })
  list(
    @Query('status') status?: unknown,
    @Query('kind') kind?: unknown,
    @Query('page') page?: unknown,
    @Query('pageSize') pageSize?: unknown,
  ) {
    const s = textParam('status', status);
    const k = textParam('kind', kind);
    const p = intParam('page', page);
    const ps = intParam('pageSize', pageSize);
    return this.reviews.list({
      ...(s !== undefined ? { status: s } : {}),
      ...(k !== undefined ? { kind: k } : {}),
      ...(p !== undefined ? { page: p } : {}),
      ...(ps !== undefined ? { pageSize: ps } : {}),
    });
  }

  @Get(':workloadId')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: "A workload's reviews: sign-offs, last deployment decision, findings" })
  @ApiParam({ name: 'workloadId' })
  @ApiOkResponse({ type: WorkloadReviewsDto })
  @ApiProblemResponses(404)
  async get(@Param('workloadId') workloadId: string) {
    return { reviews: await this.reviews.reviewsOf(workloadId) };
  }
}
