import { decideRelease } from './release.decide';
import { evolveRelease } from './release.evolve';
import { initialRelease } from './release.state';

export const releaseDecider = {
  decide: decideRelease,
  evolve: evolveRelease,
  initialState: initialRelease,
} as const;
