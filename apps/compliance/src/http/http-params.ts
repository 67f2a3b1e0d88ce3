import { ValidationError } from '@trainyard/kernel';

/** A query parameter given once as text (a repeated one arrives as an array: refused). */
export const textParam = (field: string, value: unknown): string | undefined => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be given once.`);
  return value;
};

/** A query parameter as a whole number, or a 400 naming it. */
export const intParam = (field: string, value: unknown): number | undefined => {
  const text = textParam(field, value);
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new ValidationError(field, `${field} must be a whole number.`);
  return Number(text);
};
