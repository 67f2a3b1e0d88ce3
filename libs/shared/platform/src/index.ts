export * from './config/service-config';
export * from './config/setting-types';
export * from './auth/permissions';
export type { Principal } from './auth/principal';
export { RequirePermission, Public } from './auth/auth.decorators';
export { principalOf } from './auth/auth.guard';
export { TokenVerifier, AuthenticationError, TOKEN_ALGORITHMS } from './auth/token-verifier';
export { ErrorMappingFilter } from './error-mapping.filter';
export {
  ApiProblemResponses,
  ProblemDetailsDto,
  PROBLEM_JSON,
  PROBLEM_TYPE_BASE,
  problemOf,
} from './errors/problem-details';
export type { ProblemDetails } from './errors/problem-details';
export { ERROR_DOMAIN } from './errors/mapped-error';
export type { MappedError } from './errors/mapped-error';
export { rpcStatusOf } from './errors/rpc-status-details';
export { EdgeInputGuard } from './input/edge-input.guard';
export {
  ConsumesBody,
  JSON_MEDIA_TYPE,
  RequestBodyTypeGuard,
  mediaTypeOf,
} from './input/request-body';
export { Readiness } from './health/readiness';
export type { ReadinessCheck, ReadinessReport } from './health/readiness';
export { ServiceMetrics } from './health/metrics';
export { CLOCK, EVENT_SEALER, EVENT_STORE, MESSAGE_BUS, PG_POOL, SERVICE_CONFIG } from './tokens';
export { CommandContexts } from './command-context/command-contexts';
export { systemClock } from './command-context/system-clock';
export { startService } from './bootstrap';
export { runServiceMain } from './service-main';
export { migrateService } from './service-migrations';
export { eventsTopic, AUDIT_GRPC_PACKAGE, AUDIT_GRPC_SERVICE } from './service-definition';
export type { ServiceDefinition, RunningService } from './service-definition';
export { openApiController } from './http/openapi.controller';
export type { OpenApiDocument } from './http/openapi.controller';
export { ReadSide, type ReadSideOptions } from './read-side/read-side';
export * from './access/access-model';
export { AccessAuthority } from './access/access-authority';
export type { AccessSource } from './access/access-authority';
export { AccessModelStore } from './access/access-model.store';
export { accessModelOf, toAccessModelMessage } from './access/access-model.message';
export { ACCESS_MODEL_MIGRATIONS } from './access/access-model.migrations';
