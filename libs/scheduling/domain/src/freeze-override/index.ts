export * from './freeze-override.commands';
export * from './freeze-override.events';
export * from './freeze-override.state';
export * from './freeze-override.decide';
export * from './freeze-override.evolve';
export * from './freeze-override.decider';
export * from './override-terms';
