export { startTelemetry } from './telemetry';
export type { Telemetry } from './telemetry';
export { createLogger } from './logger';
export type { Logger } from './logger';
export { currentTraceContext } from './trace-context';
