import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@trainyard/event-store';
import type { JobRunEvent } from '@trainyard/scheduling-domain';

/** The stream of one run (job-run.events.ts): `job-run-<runId>`. */
export const jobRunStream = (runId: string): string => `job-run-${runId}`;

/** A run's identity on every event of its stream. */
export interface RunRefRow {
  readonly runId: string;
  readonly job: string;
  readonly jobVersion: number;
  readonly team: string;
  readonly nominalTime: string;
}

export const runRef = (r: RunRefRow) => ({
  runId: r.runId,
  job: r.job,
  jobVersion: r.jobVersion,
  team: r.team,
  nominalTime: r.nominalTime,
});

/** A JobRunEvent as the store takes it: correlated by run, caused by nothing the caller named. */
export const toNewEvent = (event: JobRunEvent, actor: string, runId: string): NewEvent => ({
  type: event.type,
  data: event.data,
  metadata: { eventId: randomUUID(), correlationId: runId, actor },
});

/** Collects events per stream in the order they happened (one append per stream). */
export class RunEventBatch {
  private readonly byRun = new Map<string, NewEvent[]>();
  add(runId: string, event: JobRunEvent, actor: string): void {
    let list = this.byRun.get(runId);
    if (!list) this.byRun.set(runId, (list = []));
    list.push(toNewEvent(event, actor, runId));
  }
  count(runId: string): number {
    return this.byRun.get(runId)?.length ?? 0;
  }
  runs(): string[] {
    return [...this.byRun.keys()];
  }
  events(runId: string): readonly NewEvent[] {
    return this.byRun.get(runId) ?? [];
  }
  get size(): number {
    let n = 0;
    for (const list of this.byRun.values()) n += list.length;
    return n;
  }
}
