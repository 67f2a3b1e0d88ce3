import type { StoredEvent } from './event-store.types';

/** Turns the data of `type` at `fromVersion` into its shape at `fromVersion + 1`. */
export type Upcaster = (data: unknown, event: StoredEvent) => unknown;

/**
 * Upcasters keyed by (event type, schema version), applied on every read path so consumers only
 * ever see current shapes. Stored rows are never rewritten: the audit trail keeps what was said.
 */
export class UpcasterRegistry {
  private readonly upcasters = new Map<string, Upcaster>();

  register(type: string, fromVersion: number, upcaster: Upcaster): this {
    const key = registryKey(type, fromVersion);
    if (this.upcasters.has(key))
      throw new Error(`an upcaster for ${type} v${fromVersion} is already registered`);
    this.upcasters.set(key, upcaster);
    return this;
  }

  /** The event at the newest version reachable from its stored one (itself when none applies). */
  upcast<E extends StoredEvent>(event: E): E {
    let current = event;
    for (
      let upcaster = this.upcasters.get(registryKey(current.type, current.schemaVersion));
      upcaster;
    ) {
      current = {
        ...current,
        data: upcaster(current.data, current),
        schemaVersion: current.schemaVersion + 1,
      };
      upcaster = this.upcasters.get(registryKey(current.type, current.schemaVersion));
    }
    return current;
  }

  get size(): number {
    return this.upcasters.size;
  }
}

function registryKey(type: string, version: number): string {
  return `${version}\u0000${type}`;
}
