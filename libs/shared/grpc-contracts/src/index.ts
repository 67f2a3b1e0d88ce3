export * as audit from './generated/trainyard/audit/v1/audit';
export * as planning from './generated/trainyard/planning/v1/planning';
export { DESCRIPTOR_SET_PATH, PROTO_INCLUDE_DIR, PROTO_LOADER_OPTIONS, trainyardDescriptorSet, trainyardPackageDefinition } from './package-definition';
