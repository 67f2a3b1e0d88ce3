import {
  celList,
  celMap,
  isCelError,
  isCelList,
  isCelMap,
  isCelUint,
  type CelInput,
} from '@bufbuild/cel';

/** A JSON value: what facts arrive as and what an explanation records. */
export type FactValue =
  null | boolean | number | string | readonly FactValue[] | { readonly [key: string]: FactValue };

export type Facts = { readonly [key: string]: FactValue };

/**
 * Facts as CEL sees them: whole numbers become CEL `int` (so `facts.approvals.size() >= 2` and
 * `facts.jobSize > 3` compare ints), other numbers `double`; objects stay field-selectable.
 */
export const toCelInput = (value: FactValue): CelInput => {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelInput);
  const out: Record<string, CelInput> = {};
  for (const [k, v] of Object.entries(value as Record<string, FactValue>)) out[k] = toCelInput(v);
  return out;
};

/**
 * `toCelInput`, converted all the way down into CEL's own lists and maps. CEL converts a plain
 * object or array again every time an expression reaches it (`facts` once per sub-expression the
 * explanation evaluates); converted once per evaluation, each access finds a CEL value.
 */
export const toCelValue = (value: FactValue): CelInput => {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return celList(value.map(toCelValue));
  const out = new Map<string, CelInput>();
  for (const [k, v] of Object.entries(value as Record<string, FactValue>))
    out.set(k, toCelValue(v));
  return celMap(out);
};

const MAX_DEPTH = 32;

/** A CEL value as JSON for the explanation: ints as numbers (strings beyond 2^53), lists, maps. */
export const toFactValue = (value: unknown, depth = 0): FactValue => {
  if (depth > MAX_DEPTH) return '…';
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (isCelError(value)) return { error: value.message };
  if (isCelUint(value)) return toFactValue(value.value, depth);
  if (isCelList(value)) return [...value].map((v) => toFactValue(v, depth + 1));
  if (isCelMap(value) || value instanceof Map) {
    const out: Record<string, FactValue> = {};
    for (const [k, v] of (value as ReadonlyMap<unknown, unknown>).entries())
      out[String(isCelUint(k) ? k.value : k)] = toFactValue(v, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => toFactValue(v, depth + 1));
  if (value instanceof Uint8Array) return `bytes(${value.length})`;
  if (typeof value === 'object') {
    const out: Record<string, FactValue> = {};
    for (const [k, v] of Object.entries(value))
      if (k !== '$typeName') out[k] = toFactValue(v, depth + 1);
    return out;
  }
  return typeof value === 'symbol' || typeof value === 'function' ? typeof value : '…';
};

/** A short rendering for sentences: JSON, cut at 80 characters. */
export const renderValue = (value: FactValue): string => {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};
