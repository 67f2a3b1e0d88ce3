// Scheduling read models: entities, pure folds and migrations.
export { SCHEDULING_READ_MODEL_MIGRATIONS } from './read-models.migrations';
export * from './calendar-entry-view.entity';
export * from './component-view.entity';
export * from './calendar.projection';

import { CalendarEntryView } from './calendar-entry-view.entity';
import { ComponentView } from './component-view.entity';

/** Every read-model entity, for a TypeORM DataSource. */
export const SCHEDULING_READ_MODEL_ENTITIES = [CalendarEntryView, ComponentView] as const;
