/** A sleep that a wake() ends early; a wake during work makes the next sleep return at once. */
export class Wakeable {
  private pending = false;
  private resolve?: () => void;
  private timer?: NodeJS.Timeout;
  private closed = false;

  wake(): void {
    if (this.resolve) {
      const r = this.resolve;
      this.resolve = undefined;
      clearTimeout(this.timer);
      r();
    } else this.pending = true;
  }

  sleep(ms: number): Promise<void> {
    if (this.pending || this.closed) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(() => {
        this.resolve = undefined;
        resolve();
      }, ms);
    });
  }

  close(): void {
    this.closed = true;
    this.wake();
  }
}
