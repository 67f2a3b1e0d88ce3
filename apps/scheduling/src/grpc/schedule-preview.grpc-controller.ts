import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { scheduling } from '@trainyard/grpc-contracts';
import { RequirePermission } from '@trainyard/platform';
import { previewSchedule } from '@trainyard/scheduling-domain';

/** The gRPC service every scheduling controller serves a part of. */
export const SCHEDULING_SERVICE = 'SchedulingService';

type PreviewRpcs = Pick<scheduling.SchedulingServiceController, 'previewSchedule'>;

/** `PreviewSchedule`: a query over the pure resolver; stores nothing, reads nothing. */
@Controller()
export class SchedulePreviewGrpcController implements PreviewRpcs {
  @GrpcMethod(SCHEDULING_SERVICE, 'previewSchedule')
  @RequirePermission('scheduling:read')
  previewSchedule(request: scheduling.PreviewScheduleRequest): scheduling.PreviewScheduleResponse {
    return previewSchedule({
      cron: request.cron,
      zone: request.zone,
      from: request.from,
      to: request.to,
      gap: request.gap,
      overlap: request.overlap,
    });
  }
}
