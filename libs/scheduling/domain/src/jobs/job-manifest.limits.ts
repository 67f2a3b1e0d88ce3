// The formats and bounds of a job manifest's fields.

export const JOB_NAME =
  /^([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z0-9]+(?:-[a-z0-9]+)*)$/;
export const SEGMENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const TASK_ID = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
export const PARAMETER_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
export const SECRET_REF = /^secret:[a-z0-9]+(?:[-_./][a-z0-9]+)*$/;
export const KAFKA_TOPIC = /^[a-zA-Z0-9._-]+$/;
export const PLACEHOLDER = /\{\{\s*([^}\s]*)\s*\}\}/g;
export const HEADER_NAME = /^[A-Za-z0-9-]+$/;
/** A pool key: a resource name, optionally `<kind>:<name>` (`db:payments`, `api.partner-x`). */
export const POOL_KEY = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*(?::[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/;
/** As part 1's components (`component.decide.ts`): what maintenance windows and freezes name. */
export const COMPONENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;
export const KAFKA_GROUP = /^[a-zA-Z0-9._-]{1,249}$/;

export const MAX_TASKS = 500;
export const MAX_TEXT = 2_000;
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
export const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;
export const MAX_RETRIES = 100;
export const MAX_DELAY_SECONDS = 24 * 3600;
export const MAX_ACTIVE_RUNS = 1_000;
export const MAX_POOL_SLOTS = 1_000;
export const MAX_CATCH_UP_SECONDS = 31 * 24 * 3600;
export const MAX_SLA_SECONDS = 31 * 24 * 3600;
export const MAX_START_JITTER_SECONDS = 3600;
export const MAX_BACKPRESSURE_SIGNALS = 10;
export const MAX_COMPONENTS = 100;
export const MAX_POOLS_PER_TASK = 10;
export const MAX_OUTCOME_RULES = 20;
export const MAX_CODES = 50;
export const MAX_JSON_DEPTH = 32;
