/**
 * An AbortController made only when its signal is read (issue 12, cron fire lag): creating the
 * signal was a third of a task's start in a cron burst, and most executors (in-process ones)
 * never read it. Aborted before it was read, the signal it then gives is already aborted.
 */
export class LazyAbort {
  private controller?: AbortController;
  private reason?: { readonly value: unknown };

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason.value);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  abort(reason?: unknown): void {
    if (this.reason) return;
    this.reason = { value: reason };
    this.controller?.abort(reason);
  }
}
