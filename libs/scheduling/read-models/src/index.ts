// Scheduling read models: entities, pure folds and migrations.
export { SCHEDULING_READ_MODEL_MIGRATIONS } from './read-models.migrations';
// Freeze overrides and their review items (issue 11 item 3).
export * from './freeze-override-view.entity';
export * from './override-review-view.entity';
export * from './override.projection';
