export * from './wait-for';
export * from './test-context';
export * from './service-harness';
export * from './platform-boot.suite';
export * from './manual-clock';
