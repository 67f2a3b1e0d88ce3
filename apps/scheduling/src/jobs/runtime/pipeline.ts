import type {
  PoolClient,
  QueryArrayConfig,
  QueryArrayResult,
  QueryConfig,
  QueryResult,
  QueryResultRow,
} from 'pg';

/**
 * A transaction's statements on a connection in pg's pipeline mode: each is sent at once, behind
 * those before it, without waiting for their answers (PostgreSQL runs them in the order sent).
 * A statement's result resolves only once every statement sent before it succeeded, so no answer
 * stands for a transaction that already failed; the first failure is what the later ones report.
 * The statements sent in one turn of the event loop leave in one write to the socket.
 */
export class Pipeline {
  private last: Promise<unknown> = Promise.resolve();
  private firstFailure?: { readonly error: unknown };
  private corked = false;

  /**
   * `giveWay`: called with each answer; when it returns a promise, the answer is handed on once
   * that settles (the flush gives way to a below-share team's start in flight: PriorityStarts).
   */
  constructor(
    readonly client: PoolClient,
    private readonly giveWay?: () => Promise<void> | undefined,
  ) {}

  query<R extends QueryResultRow = QueryResultRow>(
    statement: QueryConfig | string,
  ): Promise<QueryResult<R>> {
    this.sendTogether();
    return this.inOrder(
      this.client.query<R>(typeof statement === 'string' ? { text: statement } : statement),
    );
  }

  /** `query` with each row an array of its columns: pg builds those faster than objects. */
  queryArrays<R extends unknown[]>(statement: QueryArrayConfig): Promise<QueryArrayResult<R>> {
    this.sendTogether();
    return this.inOrder(this.client.query<R>(statement));
  }

  /** Sent now; only the statements after it (COMMIT) wait for its answer. */
  send(statement: QueryConfig | string): void {
    void this.query(statement);
  }

  /**
   * The first statement that failed, in the order sent (its error, not the "transaction aborted"
   * of the statements behind it, says whether the transaction is worth retrying).
   */
  get failure(): { readonly error: unknown } | undefined {
    return this.firstFailure;
  }

  /**
   * Holds this turn's statements in the socket's buffer until the turn ends (Node's cork idiom):
   * one write system call instead of one per statement, each costly on a loaded machine.
   */
  private sendTogether(): void {
    if (this.corked) return;
    const socket = this.client.connection.stream;
    socket.cork();
    this.corked = true;
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private inOrder<T>(sent: Promise<T>): Promise<T> {
    sent.catch((error: unknown) => {
      this.firstFailure ??= { error };
    });
    const giveWay = this.giveWay;
    let answer = this.last.then(() => sent);
    if (giveWay) answer = answer.then((r) => giveWay()?.then(() => r) ?? r);
    answer.catch(() => undefined); // reported to whoever awaits it, else by a later statement
    this.last = answer;
    return answer;
  }
}
