import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import {
  loadFileDescriptorSetFromBuffer,
  loadSync,
  type Options,
  type PackageDefinition,
} from '@grpc/proto-loader';

/**
 * proto-loader settings that match the ts-proto options in buf.gen.yaml: camelCase fields, enum
 * names, 64-bit integers as decimal strings, defaults filled in. Servers and clients use both.
 */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

/** `buf build` output for every proto under proto/: the source of truth for encoding and reflection. */
export const DESCRIPTOR_SET_PATH = join(__dirname, 'generated', 'trainyard.binpb');

/** The .proto files as `buf export` copied them beside the generated code. */
export const PROTO_INCLUDE_DIR = join(__dirname, 'generated', 'proto');

let cached: PackageDefinition | undefined;
let cachedDescriptors: PackageDefinition | undefined;

/**
 * Every Trainyard gRPC service and message, for encoding: parsed from the .proto files, because
 * only then does proto-loader apply `keepCase: false` and match ts-proto's camelCase interfaces.
 */
export function trainyardPackageDefinition(): PackageDefinition {
  cached ??= loadSync(protoFiles(PROTO_INCLUDE_DIR), {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [PROTO_INCLUDE_DIR],
  });
  return cached;
}

/** The same services from the `buf build` descriptor set, with original field names: what server reflection must serve. */
export function trainyardDescriptorSet(): PackageDefinition {
  cachedDescriptors ??= loadFileDescriptorSetFromBuffer(
    readFileSync(DESCRIPTOR_SET_PATH),
    PROTO_LOADER_OPTIONS,
  );
  return cachedDescriptors;
}

function protoFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return protoFiles(dir, relative);
    return entry.name.endsWith('.proto') ? [relative] : [];
  });
}
