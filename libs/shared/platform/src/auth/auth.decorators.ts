import { SetMetadata } from '@nestjs/common';
import type { Permission } from './permissions';

export const REQUIRED_PERMISSION = 'trainyard:required-permission';
export const PUBLIC_ROUTE = 'trainyard:public';

/** The permission a gRPC method or HTTP route needs. Handlers without it (or @Public) are refused. */
export const RequirePermission = (permission: Permission) =>
  SetMetadata(REQUIRED_PERMISSION, permission);

/** Open to anyone: health, readiness and metrics only. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
