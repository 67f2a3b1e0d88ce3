import { ValidationError } from '@trainyard/kernel';

/** The modified Fibonacci scale SAFe uses for WSJF inputs and job size. */
export const MODIFIED_FIBONACCI = [1, 2, 3, 5, 8, 13, 20] as const;
export type FibonacciPoint = (typeof MODIFIED_FIBONACCI)[number];

const SCALE: ReadonlySet<number> = new Set(MODIFIED_FIBONACCI);

export const isFibonacciPoint = (value: unknown): value is FibonacciPoint =>
  typeof value === 'number' && SCALE.has(value);

export const assertFibonacciPoint = (field: string, value: unknown): FibonacciPoint => {
  if (!isFibonacciPoint(value)) {
    throw new ValidationError(
      field,
      `${field} must be on the modified Fibonacci scale (${MODIFIED_FIBONACCI.join(', ')}); got ${String(value)}`,
    );
  }
  return value;
};
