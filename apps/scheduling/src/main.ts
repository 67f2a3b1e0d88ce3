import { startTelemetry } from '@trainyard/observability';
import type * as ServiceEntry from './scheduling.service';

// Telemetry first, so its instrumentations patch grpc-js, http, pg and kafkajs before they load;
// hence a require (not hoisted like an import) for everything else.
const telemetry = startTelemetry('scheduling');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { run } = require('./scheduling.service') as typeof ServiceEntry;
run(() => telemetry.shutdown());
