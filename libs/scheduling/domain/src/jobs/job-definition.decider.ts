import { decideJobDefinition } from './job-definition.decide';
import { evolveJobDefinition } from './job-definition.evolve';
import { initialJobDefinition } from './job-definition';

/** The job-definition aggregate, stream `job-definition-<name>`. */
export const jobDefinitionDecider = {
  decide: decideJobDefinition,
  evolve: evolveJobDefinition,
  initialState: initialJobDefinition,
} as const;
