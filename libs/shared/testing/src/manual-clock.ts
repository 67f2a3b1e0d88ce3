import type { Clock } from '@trainyard/kernel';

/** A clock a test sets and moves; give it to a service as `ServiceDefinition.clock`. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: string) {
    this.current = Date.parse(start);
    if (Number.isNaN(this.current)) throw new Error(`not an ISO-8601 instant: ${start}`);
  }

  now(): string {
    return new Date(this.current).toISOString();
  }

  set(instant: string): void {
    this.current = Date.parse(instant);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
