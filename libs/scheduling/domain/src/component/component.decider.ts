import { decideComponent } from './component.decide';
import { evolveComponent } from './component.evolve';
import { initialComponent } from './component.state';

export const componentDecider = {
  decide: decideComponent,
  evolve: evolveComponent,
  initialState: initialComponent,
} as const;
