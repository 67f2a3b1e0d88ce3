export * from './clock';
export * from './command';
export * from './decider';
export * from './domain-error';
export * from './assert';
export * from './decider-specification';
export * from './projection';
export * from './personal-data';
