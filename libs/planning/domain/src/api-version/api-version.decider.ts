import { decideApiVersion } from './api-version.decide';
import { evolveApiVersion } from './api-version.evolve';
import { initialApiVersion } from './api-version.state';

export const apiVersionDecider = {
  decide: decideApiVersion,
  evolve: evolveApiVersion,
  initialState: initialApiVersion,
} as const;
