// Scheduling read models: entities, pure folds and migrations for windows, freezes, overrides, the deployment calendar and durations.
export {};
