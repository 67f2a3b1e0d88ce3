/**
 * Where "now" comes from. Adapters read it once per command and put it into the command context;
 * deciders see only `metadata.now`. The platform provides the system clock; tests inject a fixed
 * or manual one, so no controller or domain file reads the system clock itself.
 */
export interface Clock {
  /** The current instant as ISO-8601 UTC (`2026-12-05T20:54:22.000Z`). */
  now(): string;
}
