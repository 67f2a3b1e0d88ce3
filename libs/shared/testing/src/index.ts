export * from './wait-for';
export * from './test-context';
export * from './service-harness';
export * from './platform-boot.suite';
export * from './entity-table-differences';
export * from './service-process';
export * from './otlp-receiver';
export * from './manual-clock';
