export * as audit from './generated/trainyard/audit/v1/audit';
export * as planning from './generated/trainyard/planning/v1/planning';
export * as scheduling from './generated/trainyard/scheduling/v1/scheduling';
export * as freezeOverride from './generated/trainyard/scheduling/v1/freeze_override';
export * as conflicts from './generated/trainyard/scheduling/v1/conflicts';
export * as pools from './generated/trainyard/scheduling/v1/pools';
export * as compliance from './generated/trainyard/compliance/v1/compliance';
export * as googleRpc from './generated/google/rpc/error_details';
export type { Status as GoogleRpcStatus } from './generated/google/rpc/status';
export {
  DESCRIPTOR_SET_PATH,
  PROTO_INCLUDE_DIR,
  PROTO_LOADER_OPTIONS,
  trainyardDescriptorSet,
  trainyardPackageDefinition,
} from './package-definition';
export { GRPC_STATUS_DETAILS_TRAILER, decodeRpcStatus, encodeRpcStatus } from './google-rpc-status';
export type { RpcStatus, RpcStatusDetail, RpcStatusDetailTypes } from './google-rpc-status';
export * as calendar from './generated/trainyard/scheduling/v1/calendar';
export * as schedulingDeploymentPlan from './generated/trainyard/scheduling/v1/deployment_plan';
export * as complianceLedger from './generated/trainyard/compliance/v1/ledger';
export * as complianceReview from './generated/trainyard/compliance/v1/review';
export * as compliancePrivacy from './generated/trainyard/compliance/v1/privacy';
export * as complianceAccess from './generated/trainyard/compliance/v1/access';
export * as complianceSampling from './generated/trainyard/compliance/v1/sampling';
export * as jobRuns from './generated/trainyard/scheduling/v1/runs';
export * as secrets from './generated/trainyard/scheduling/v1/secrets';
export * as jobInsights from './generated/trainyard/scheduling/v1/job_insights';
export * as jobDefinitions from './generated/trainyard/scheduling/v1/jobs';
