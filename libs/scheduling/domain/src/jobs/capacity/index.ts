// Capacity and fairness (issue 12, item 4): pure deciders the runtime and the pool service use.
export * from './run-overlap';
export * from './fair-share.dispatch-policy';
export * from './start-jitter';
export * from './admission';
export * from './job-pool';
