import type { Decider } from '@trainyard/kernel';
import type { FreezeOverrideCommand } from './freeze-override.commands';
import { decideFreezeOverride, type FreezeOverrideDecisionContext } from './freeze-override.decide';
import type { FreezeOverrideEvent } from './freeze-override.events';
import { evolveFreezeOverride } from './freeze-override.evolve';
import { initialFreezeOverride, type FreezeOverride } from './freeze-override.state';

export const freezeOverrideDecider: Decider<
  FreezeOverride,
  FreezeOverrideCommand,
  FreezeOverrideEvent,
  FreezeOverrideDecisionContext
> = {
  decide: decideFreezeOverride,
  evolve: evolveFreezeOverride,
  initialState: initialFreezeOverride,
};

/** The stream of one override. */
export const freezeOverrideStream = (overrideId: string): string => `freeze-override-${overrideId}`;
