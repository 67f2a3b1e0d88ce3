import { ValidationError } from '@trainyard/kernel';
import type { ReleaseCommand } from './release.commands';
import type { ReleaseEvent } from './release.events';
import { DEFAULT_CONTEXT, type ReleaseDecisionContext } from './release.guards';
import type { Release } from './release.state';
import { requestEmergencyPatch } from './release-emergency-patch.decide';
import { cancelRelease, closeRelease, planRelease } from './release-lifecycle.decide';
import { excludeWorkload, includeWorkload } from './release-scope.decide';
import { commitScope } from './release-scope-commit.decide';

export { allocatableRelease, type ReleaseDecisionContext } from './release.guards';
export { requestEmergencyPatch } from './release-emergency-patch.decide';
export { cancelRelease, closeRelease, planRelease } from './release-lifecycle.decide';
export { excludeWorkload, includeWorkload } from './release-scope.decide';
export { commitScope } from './release-scope-commit.decide';

export const decideRelease = (
  command: ReleaseCommand,
  state: Release,
  context: ReleaseDecisionContext = DEFAULT_CONTEXT,
): readonly ReleaseEvent[] => {
  switch (command.type) {
    case 'PlanRelease':
      return planRelease(command, state, context);
    case 'IncludeWorkload':
      return includeWorkload(command, state, context);
    case 'ExcludeWorkload':
      return excludeWorkload(command, state, context);
    case 'CommitScope':
      return commitScope(command, state);
    case 'RequestEmergencyPatch':
      return requestEmergencyPatch(command, state, context);
    case 'CloseRelease':
      return closeRelease(command, state);
    case 'CancelRelease':
      return cancelRelease(command, state);
    default: {
      const unknown: never = command;
      throw new ValidationError('type', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
};
