import { decidePolicy } from './policy.decide';
import { evolvePolicy } from './policy.evolve';
import { initialPolicy } from './policy.state';

export const policyDecider = {
  decide: decidePolicy,
  evolve: evolvePolicy,
  initialState: initialPolicy,
} as const;
