/** Stream ids of the calendar's aggregates: `<aggregate>-<id>`. */
export const calendarEntryStream = (entryId: string): string => `calendar-entry-${entryId}`;
export const componentStream = (componentId: string): string => `component-${componentId}`;
