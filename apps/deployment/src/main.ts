import { startTelemetry } from '@trainyard/observability';
import type * as ServiceEntry from './deployment.service';

// Telemetry first, so its instrumentations patch grpc-js, http, pg and kafkajs before they load;
// hence a require (not hoisted like an import) for everything else.
const telemetry = startTelemetry('deployment');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { run } = require('./deployment.service') as typeof ServiceEntry;
run(() => telemetry.shutdown());
