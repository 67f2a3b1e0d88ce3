// Time and operations of batch jobs (issue 12, items 5 and 7): the calendar gate, SLAs, zombies.
export * from './run-gate';
export * from './job-sla';
export * from './job-zombies';
