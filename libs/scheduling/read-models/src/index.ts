// Scheduling read models: entities, pure folds and migrations.
export { SCHEDULING_READ_MODEL_MIGRATIONS } from './read-models.migrations';
