import { ConfigurationError } from './config/service-config';
import { startService } from './bootstrap';
import type { ServiceDefinition } from './service-definition';

/**
 * The whole life of a service process: start, stop on SIGTERM/SIGINT, exit. A configuration error
 * prints one line and exits 78 (EX_CONFIG) at once; any other start-up failure exits 1.
 */
export function runServiceMain(
  definition: ServiceDefinition,
  onStopped?: () => Promise<void>,
): void {
  startService(definition).then(
    (running) => {
      let signalled = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) return;
        signalled = true;
        running.logger.info(`${signal} received, shutting down`);
        void running
          .stop()
          .then(() => onStopped?.())
          .then(
            () => process.exit(0),
            (error: unknown) => {
              running.logger.error({ err: error }, 'shutdown failed');
              process.exit(1);
            },
          );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    },
    (error: unknown) => {
      if (error instanceof ConfigurationError) {
        process.stderr.write(`[${definition.service}] ${error.message}\n`);
        process.exit(78);
      }
      process.stderr.write(
        `[${definition.service}] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
