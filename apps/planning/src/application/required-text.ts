import { ValidationError } from '@trainyard/kernel';

/** Edge check of an id the request must carry, named as the request names it. */
export const requireText = (field: string, value: string): string => {
  if (!value.trim()) throw new ValidationError(field, `${field} is required`);
  return value;
};
