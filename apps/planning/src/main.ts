import { startTelemetry } from '@trainyard/observability';
import type * as ServiceEntry from './planning.service';

// Telemetry first, so its instrumentations patch grpc-js, http, pg and kafkajs before they load;
// hence a require (not hoisted like an import) for everything else.
const telemetry = startTelemetry('planning');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { run } = require('./planning.service') as typeof ServiceEntry;
run(() => telemetry.shutdown());
