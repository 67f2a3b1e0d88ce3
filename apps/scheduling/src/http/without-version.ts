/** A read-model row as served: its stream version is the read model's bookkeeping. */
export const withoutVersion = <T extends { readonly version: number }>(
  row: T,
): Omit<T, 'version'> => {
  const copy: Record<string, unknown> = { ...row };
  delete copy['version'];
  return copy as Omit<T, 'version'>;
};
