import type { ReleaseHistoryEntry } from '../capacity/velocity';
import type { ReleaseEvent } from './release.events';

/** Pure fold over release events: one history entry per closed release, input to `capacityFromHistory`. */
export const foldReleaseHistory = (
  history: readonly ReleaseHistoryEntry[],
  event: ReleaseEvent,
): readonly ReleaseHistoryEntry[] => {
  if (event.type !== 'ReleaseClosed') return history;
  const { releaseId, trainId, kind, closedAt, teams } = event.data;
  if (history.some((h) => h.releaseId === releaseId)) return history;
  return [...history, { releaseId, trainId, kind, closedAt, teams }];
};

export const releaseHistory = (events: readonly ReleaseEvent[]): readonly ReleaseHistoryEntry[] =>
  events.reduce(foldReleaseHistory, [] as readonly ReleaseHistoryEntry[]);
