import { ownValue, ValidationError } from '@trainyard/kernel';
import { MAX_TEXT } from './job-manifest.limits';

export type Obj = Record<string, unknown>;
export const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const show = (value: unknown): string => {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
};
export const oneOf = (values: readonly string[]): string => values.join(', ');
export const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);
export const own = (o: Obj, key: string): unknown => ownValue(o, key);

/**
 * `path.key`, the key quoted as JSON when it is not a plain name (blank, spaces, dots, brackets),
 * so every field named in a problem is visible and unambiguous.
 */
export const keyPath = (path: string, key: string): string => {
  const shown = /^[A-Za-z0-9_$-]+$/.test(key) ? key : JSON.stringify(key);
  return path ? `${path}.${shown}` : shown;
};

/** Collects problems; every check adds one sentence naming its field, and never throws. */
export class Problems {
  readonly list: ValidationError[] = [];
  add(field: string, message: string): void {
    this.list.push(new ValidationError(field, message));
  }
  /** Refuses keys outside `allowed` (a typo in a manifest must not be silently ignored). */
  unknownKeys(o: Obj, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(o))
      if (!allowed.includes(key)) {
        const field = keyPath(path, key);
        this.add(field, `${field} is not a known field; expected one of ${oneOf(allowed)}.`);
      }
  }
  text(o: Obj, key: string, path: string, required: boolean): string | undefined {
    const value = own(o, key);
    const field = path ? `${path}.${key}` : key;
    if (value === undefined) {
      if (required) this.add(field, `${field} is required.`);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.add(field, `${field} must be a non-empty string; got ${show(value)}.`);
      return undefined;
    }
    if (value.length > MAX_TEXT) {
      this.add(field, `${field} must be at most ${MAX_TEXT} characters long.`);
      return undefined;
    }
    return value;
  }
  integer(
    o: Obj,
    key: string,
    path: string,
    min: number,
    max: number,
    required: boolean,
  ): number | undefined {
    const value = own(o, key);
    const field = path ? `${path}.${key}` : key;
    if (value === undefined) {
      if (required) this.add(field, `${field} is required.`);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(field, `${field} must be a whole number from ${min} to ${max}; got ${show(value)}.`);
      return undefined;
    }
    return value;
  }
}
