/** Injection tokens of what the platform provides to every service. */
export const SERVICE_CONFIG = Symbol('trainyard.service-config');
export const PG_POOL = Symbol('trainyard.pg-pool');
export const EVENT_STORE = Symbol('trainyard.event-store');
export const MESSAGE_BUS = Symbol('trainyard.message-bus');
export const CLOCK = Symbol('trainyard.clock');
/** `{ sealer?: EventSealer; signer?: CheckpointSigner }` of the service's event log. */
export const EVENT_SEALER = Symbol('trainyard.event-sealer');
