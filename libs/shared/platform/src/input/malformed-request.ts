import type { PackageDefinition } from '@grpc/proto-loader';

/** Marks a gRPC request whose bytes were not a valid message; the edge input guard refuses it. */
export const MALFORMED_REQUEST = Symbol('trainyard.malformed-request');

interface MethodDefinition {
  requestDeserialize?: (bytes: Buffer) => unknown;
}

/**
 * The package definition with every request deserializer made total: bytes that do not decode
 * (a wrong wire type, a truncated message) become a marked object, so the handler chain answers
 * INVALID_ARGUMENT where grpc-js itself would answer INTERNAL.
 */
export function withTotalDeserializers(definition: PackageDefinition): PackageDefinition {
  const wrapped: PackageDefinition = {};
  for (const [name, entry] of Object.entries(definition)) {
    if ('format' in entry) {
      wrapped[name] = entry;
      continue;
    }
    wrapped[name] = Object.fromEntries(
      Object.entries(entry as Record<string, MethodDefinition>).map(([method, def]) => {
        const decode = def.requestDeserialize;
        if (!decode) return [method, def];
        const requestDeserialize = (bytes: Buffer) => {
          try {
            return decode(bytes);
          } catch (error) {
            return { [MALFORMED_REQUEST]: error instanceof Error ? error.message : String(error) };
          }
        };
        return [method, { ...def, requestDeserialize }];
      }),
    ) as PackageDefinition[string];
  }
  return wrapped;
}
