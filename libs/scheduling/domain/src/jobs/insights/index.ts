// Job insights (issue 12, item 5): the pure part of the job-insight queries.
export * from './job-stats';
export * from './run-timeline';
export * from './sla-candidates';
