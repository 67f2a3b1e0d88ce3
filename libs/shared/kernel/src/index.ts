export * from './clock';
export * from './command';
export * from './decider';
export * from './domain-error';
