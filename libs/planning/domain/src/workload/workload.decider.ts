import { decideWorkload } from './workload.decide';
import { evolveWorkload } from './workload.evolve';
import { initialWorkload } from './workload.state';

export const workloadDecider = {
  decide: decideWorkload,
  evolve: evolveWorkload,
  initialState: initialWorkload,
} as const;
