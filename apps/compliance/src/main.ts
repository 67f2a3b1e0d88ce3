import { startTelemetry } from '@trainyard/observability';

// Telemetry first, so its instrumentations patch grpc-js, http, pg and kafkajs before they load;
// hence a require (not hoisted like an import) for everything else.
const telemetry = startTelemetry('compliance');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { run } = require('./compliance.service') as typeof import('./compliance.service');
run(() => telemetry.shutdown());
