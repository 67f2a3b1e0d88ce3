// The sections of `npm run demo` (planning, scheduling, compliance, jobs, …) run one after the
// other; a section that fails is reported on its own (what it waited for and how long) and the
// demo goes on with every section that does not need it. The summary at the end lists each
// section's outcome; the demo exits non-zero if any section failed or was skipped.

/** A wait that ran out: what the demo waited for and for how long. */
export class DemoTimeout extends Error {
  override readonly name = 'DemoTimeout';
  constructor(
    readonly waitedFor: string,
    readonly waitedMs: number,
    lastAnswer?: string,
  ) {
    super(
      `waited ${seconds(waitedMs)} for ${waitedFor}${lastAnswer ? `; last answer: ${lastAnswer}` : ''}`,
    );
  }
}

/**
 * Asks `probe` every `everyMs` until it answers (anything but undefined or false); throws a
 * DemoTimeout naming `what` after `timeoutMs`. A probe that throws ends the wait at once.
 */
export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false>,
  options: { everyMs?: number; lastAnswer?: () => string | undefined } = {},
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const answer = await probe();
    if (answer !== undefined && answer !== false) return answer;
    if (Date.now() - started > timeoutMs)
      throw new DemoTimeout(what, Date.now() - started, options.lastAnswer?.());
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 500));
  }
}

export type SectionOutcome =
  | { readonly section: string; readonly status: 'passed'; readonly ms: number }
  | {
      readonly section: string;
      readonly status: 'failed';
      readonly ms: number;
      readonly error: string;
    }
  | { readonly section: string; readonly status: 'skipped'; readonly missing: readonly string[] };

/** What a section needs from earlier sections, by their names: their results. */
type Needs = Readonly<Record<string, unknown>>;
type Met<N extends Needs> = { readonly [K in keyof N]: NonNullable<N[K]> };

export class DemoSections {
  private readonly outcomes: SectionOutcome[] = [];

  constructor(
    private readonly log: (line: string) => void = console.log,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `body` unless an earlier section it needs failed or was skipped (its result in `needs`
   * is undefined, keyed by that section's name); then the section is reported as skipped. A
   * failure is reported with its reason and duration and never stops the demo: the section's
   * result is then undefined, which skips the sections that need it.
   */
  async run<N extends Needs, T>(
    section: string,
    needs: N,
    body: (met: Met<N>) => Promise<T>,
  ): Promise<T | undefined> {
    const missing = Object.keys(needs).filter((name) => needs[name] === undefined);
    if (missing.length > 0) {
      this.outcomes.push({ section, status: 'skipped', missing });
      this.log(`\n[${section}] SKIPPED: needs ${missing.join(', ')}, which did not complete`);
      return undefined;
    }
    const started = this.now();
    try {
      const result = await body(needs as Met<N>);
      this.outcomes.push({ section, status: 'passed', ms: this.now() - started });
      return result;
    } catch (error) {
      const ms = this.now() - started;
      const reason = error instanceof Error ? error.message : String(error);
      this.outcomes.push({ section, status: 'failed', ms, error: reason });
      this.log(`\n[${section}] FAILED after ${seconds(ms)}: ${reason}`);
      return undefined;
    }
  }

  get results(): readonly SectionOutcome[] {
    return this.outcomes;
  }

  /** True when every section passed. */
  get ok(): boolean {
    return this.outcomes.every((o) => o.status === 'passed');
  }

  /** One line per section: passed (time), failed (time and reason) or skipped (what it needed). */
  summary(): string[] {
    const width = Math.max(0, ...this.outcomes.map((o) => o.section.length));
    const failed = this.outcomes.filter((o) => o.status !== 'passed').length;
    return [
      failed === 0
        ? `Demo summary: all ${this.outcomes.length} sections passed`
        : `Demo summary: ${failed} of ${this.outcomes.length} sections did not pass`,
      ...this.outcomes.map((o) => {
        const name = o.section.padEnd(width);
        switch (o.status) {
          case 'passed':
            return `  ok       ${name}  ${seconds(o.ms)}`;
          case 'failed':
            return `  FAILED   ${name}  ${seconds(o.ms)}  ${o.error}`;
          case 'skipped':
            return `  skipped  ${name}  needs ${o.missing.join(', ')}`;
        }
      }),
    ];
  }
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
