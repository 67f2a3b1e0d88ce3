import type { Decider } from '@trainyard/kernel';
import type { AccessCommand } from './access.commands';
import { decideAccess } from './access.decide';
import type { AccessEvent } from './access.events';
import { evolveAccess } from './access.evolve';
import { initialAccessModel, type AccessContext, type AccessModelState } from './access.state';

export const accessDecider: Decider<AccessModelState, AccessCommand, AccessEvent, AccessContext> = {
  decide: decideAccess,
  evolve: evolveAccess,
  initialState: initialAccessModel,
};

/** The one access model's stream. */
export const ACCESS_MODEL_ID = 'default';
export const accessModelStream = (modelId = ACCESS_MODEL_ID): string => `access-model-${modelId}`;
