/**
 * The part of a stored event a projection reads (the event store's `StoredEvent` has it). Pure
 * projection definitions live in the kernel, so read-model libraries define them without
 * importing infrastructure; the runner in `@trainyard/messaging` executes them.
 */
export interface ProjectionSource {
  readonly type: string;
  readonly data: unknown;
  readonly streamVersion: number;
  readonly metadata: { readonly actor: string; readonly reason?: string };
}

/** The value(s) of a view's key columns, in their order: one string for a one-column key. */
export type ViewKey = string | readonly string[];

interface ViewBase<TEvent> {
  /** The live table, unqualified, in the service's schema (created by the service's migrations). */
  readonly table: string;
  /** Row property → column, where the column is not the property in snake_case. */
  readonly columns?: Readonly<Record<string, string>>;
  /** The row (or rows) an event changes; undefined when it changes none of this view. */
  keyOf(event: TEvent): ViewKey | undefined;
  /**
   * For the events that change several rows of this view at once, e.g. a retention purge naming
   * the rows it deleted, so a rebuild does not bring them back: their keys. Asked when `keyOf`
   * gives undefined. Such events never take part in the `versionOf` skip.
   */
  keysOf?(event: TEvent): readonly ViewKey[] | undefined;
}

/** The keys of the rows `event` changes in `view` (`keyOf`, else `keysOf`), as key ids. */
export const viewKeys = <TEvent>(
  view: Pick<ViewBase<TEvent>, 'keyOf' | 'keysOf'>,
  event: TEvent,
): readonly ViewKey[] => {
  const key = view.keyOf(event);
  if (key !== undefined) return [key];
  return view.keysOf?.(event) ?? [];
};

/** One row per key: the table's primary key. */
export interface RowView<TEvent, TRow extends object> extends ViewBase<TEvent> {
  readonly kind: 'row';
  /** Pure. `undefined` means "no row": a row that existed is deleted. */
  fold(row: TRow | undefined, event: TEvent): TRow | undefined;
  /**
   * For a view keyed by the event's own stream: the stream version the row reflects. An event whose
   * version is not above it was folded in already (a replay over newer rows), and is skipped in
   * every view, so the read model stays exact when a checkpoint is older than the rows.
   */
  versionOf?(row: TRow): number;
}

/** Several rows per key (a child collection): the key is `groupBy`, the rows' primary key is the table's. */
export interface RowsView<TEvent, TRow extends object> extends ViewBase<TEvent> {
  readonly kind: 'rows';
  /** The columns `keyOf` gives values for. */
  readonly groupBy: readonly string[];
  /** Pure. Rows left out of the result are deleted; unchanged rows keep their identity. */
  fold(rows: readonly TRow[], event: TEvent): readonly TRow[];
}

export type ProjectionView<TEvent> = RowView<TEvent, object> | RowsView<TEvent, object>;

/**
 * (Folds are declared as methods, so any definition is a `ProjectionDefinition<unknown>` for
 * registries such as a service definition's list.)
 *
 * A read model: which events it reads, how a stored event looks to its folds, and one pure fold
 * per table. The runner (`ProjectionRunner`) loads the rows a batch touches, folds, and saves
 * them with the checkpoint; `projectEvents` folds in memory (unit specs and test oracles).
 */
export interface ProjectionDefinition<TEvent> {
  /** The checkpoint's key; also what `projections:rebuild --projection` names. */
  readonly name: string;
  readonly eventTypes: readonly string[];
  toEvent(stored: ProjectionSource): TEvent;
  /** Needed when a view has `versionOf`: the event's version within its stream. */
  streamVersionOf?(event: TEvent): number;
  readonly views: readonly ProjectionView<TEvent>[];
}

/** Typed construction of a one-row-per-key view (erases the row type for the definition's list). */
export const rowView = <TEvent, TRow extends object>(
  view: Omit<RowView<TEvent, TRow>, 'kind'>,
): ProjectionView<TEvent> => ({ kind: 'row', ...view }) as unknown as ProjectionView<TEvent>;

/** Typed construction of a rows-per-key view. */
export const rowsView = <TEvent, TRow extends object>(
  view: Omit<RowsView<TEvent, TRow>, 'kind'>,
): ProjectionView<TEvent> => ({ kind: 'rows', ...view }) as unknown as ProjectionView<TEvent>;

/** A key's identity in maps: the value itself for one column, JSON for several. */
export const keyId = (key: ViewKey): string =>
  typeof key === 'string' ? key : key.length === 1 ? (key[0] ?? '') : JSON.stringify(key);

/** Per view (same order as `views`): key id → current value (a row, undefined, or the rows). */
export type ViewStates = readonly Map<string, unknown>[];

/**
 * Folds `events` into `states`, in order, in place. A key missing from a state is absent (no row,
 * or no rows); the runner loads every key a batch touches first. Returns how many events were
 * skipped as already folded (`versionOf`).
 */
export function foldInto<TEvent>(
  definition: ProjectionDefinition<TEvent>,
  states: ViewStates,
  events: readonly TEvent[],
): number {
  let skipped = 0;
  const { views } = definition;
  for (const event of events) {
    const keys = views.map((view) => {
      const key = view.keyOf(event);
      return key === undefined ? undefined : keyId(key);
    });
    if (alreadyFolded(definition, states, keys, event)) {
      skipped++;
      continue;
    }
    views.forEach((view, i) => {
      const state = states[i];
      if (!state) return;
      const key = keys[i];
      for (const id of key === undefined ? viewKeys(view, event).map(keyId) : [key])
        if (view.kind === 'row')
          state.set(id, view.fold(state.get(id) as object | undefined, event));
        else
          state.set(id, view.fold((state.get(id) as readonly object[] | undefined) ?? [], event));
    });
  }
  return skipped;
}

function alreadyFolded<TEvent>(
  definition: ProjectionDefinition<TEvent>,
  states: ViewStates,
  keys: readonly (string | undefined)[],
  event: TEvent,
): boolean {
  return definition.views.some((view, i) => {
    const key = keys[i];
    if (view.kind !== 'row' || !view.versionOf || key === undefined) return false;
    const row = states[i]?.get(key) as object | undefined;
    if (row === undefined) return false;
    if (!definition.streamVersionOf)
      throw new Error(`projection ${definition.name}: versionOf needs streamVersionOf`);
    return definition.streamVersionOf(event) <= view.versionOf(row);
  });
}

/**
 * The rows a projection holds after `events`, per table, folded in memory by the same code as the
 * runner's batches: what the tables must contain. Rows come in key order.
 */
export function projectEvents<TEvent>(
  definition: ProjectionDefinition<TEvent>,
  events: readonly TEvent[],
): Record<string, object[]> {
  const states = definition.views.map(() => new Map<string, unknown>());
  foldInto(definition, states, events);
  const result: Record<string, object[]> = {};
  definition.views.forEach((view, i) => {
    const entries = [...(states[i] ?? new Map<string, unknown>()).entries()].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    result[view.table] = entries.flatMap(([, value]) =>
      value === undefined ? [] : view.kind === 'row' ? [value as object] : [...(value as object[])],
    );
  });
  return result;
}
