import { join } from 'node:path';
import { Root, type Type } from 'protobufjs';
import type { Status } from './generated/google/rpc/status';
import type {
  BadRequest,
  ErrorInfo,
  PreconditionFailure,
  ResourceInfo,
  RetryInfo,
} from './generated/google/rpc/error_details';
import { PROTO_INCLUDE_DIR } from './package-definition';

/** The trailer in which gRPC servers send a serialized `google.rpc.Status` (gRPC's richer error model). */
export const GRPC_STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** The detail messages Trainyard sends, by their fully-qualified name. */
export interface RpcStatusDetailTypes {
  'google.rpc.BadRequest': BadRequest;
  'google.rpc.ErrorInfo': ErrorInfo;
  'google.rpc.PreconditionFailure': PreconditionFailure;
  'google.rpc.ResourceInfo': ResourceInfo;
  'google.rpc.RetryInfo': RetryInfo;
}

export type RpcStatusDetail = {
  [K in keyof RpcStatusDetailTypes]: { readonly type: K; readonly value: RpcStatusDetailTypes[K] };
}[keyof RpcStatusDetailTypes];

/** A `google.rpc.Status` with its `Any` details unpacked. */
export interface RpcStatus {
  readonly code: number;
  readonly message: string;
  readonly details: readonly RpcStatusDetail[];
}

/** protobufjs resolves google/protobuf/any.proto to its bundled copy, whose fields keep their proto names. */
interface BundledAny {
  type_url: string;
  value: Uint8Array;
}

let root: Root | undefined;

/** google/rpc/*.proto as exported beside the generated code; camelCase fields like ts-proto's interfaces. */
function rpcRoot(): Root {
  if (!root) {
    root = new Root();
    root.resolvePath = (_origin, target) => join(PROTO_INCLUDE_DIR, target);
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
  }
  return root;
}

const messageType = (name: string): Type => rpcRoot().lookupType(name);

/** Serializes a status for the `grpc-status-details-bin` trailer, packing each detail in an `Any`. */
export function encodeRpcStatus(status: RpcStatus): Buffer {
  const details = status.details.map((detail) => {
    const type = messageType(detail.type);
    return {
      type_url: TYPE_URL_PREFIX + detail.type,
      value: type.encode(type.fromObject(detail.value)).finish(),
    };
  });
  const statusType = messageType('google.rpc.Status');
  return Buffer.from(
    statusType
      .encode(statusType.fromObject({ code: status.code, message: status.message, details }))
      .finish(),
  );
}

/** Parses a `grpc-status-details-bin` value; details of types not listed in RpcStatusDetailTypes are skipped. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const decoded = messageType('google.rpc.Status').decode(bytes) as unknown as Omit<
    Status,
    'details'
  > & { details: BundledAny[] };
  const details = decoded.details.flatMap((any): RpcStatusDetail[] => {
    const name = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
    if (!isKnown(name)) return [];
    const type = messageType(name);
    const value = type.toObject(type.decode(any.value), {
      longs: String, // int64 (RetryInfo's Duration.seconds) as ts-proto types it
      defaults: true,
      arrays: true,
      objects: true,
    });
    return [{ type: name, value: withoutNulls(value) } as RpcStatusDetail];
  });
  return { code: decoded.code, message: decoded.message, details };
}

const KNOWN = new Set<string>([
  'google.rpc.BadRequest',
  'google.rpc.ErrorInfo',
  'google.rpc.PreconditionFailure',
  'google.rpc.ResourceInfo',
  'google.rpc.RetryInfo',
]);
const isKnown = (name: string): name is keyof RpcStatusDetailTypes => KNOWN.has(name);

/** protobufjs fills absent message fields with null; the ts-proto interfaces leave them out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== null)
      .map(([key, item]) => [key, withoutNulls(item)]),
  );
}
