import { validateAll, validateEach } from './assert';
import { RuleViolation, ValidationError } from './domain-error';

const refusal = (fn: () => void): ValidationError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

const positive = (value: number, path: string): void => {
  if (value <= 0) throw new ValidationError(path, `${path} must be positive.`);
};

describe('validateAll and validateEach', () => {
  it('validateEach reports every refused element with its path, not just the first', () => {
    const error = refusal(() => validateEach('sizes', [1, -2, 3, 0], positive));
    expect(error.violations).toEqual([
      { field: 'sizes[1]', message: 'sizes[1] must be positive.' },
      { field: 'sizes[3]', message: 'sizes[3] must be positive.' },
    ]);
    expect(error.field).toBe('sizes[1]');
  });

  it('nests: the violations of an inner validateEach join the outer validateAll', () => {
    const error = refusal(() =>
      validateAll(
        () => positive(-1, 'count'),
        () => validateEach('sizes', [-1, 2], positive),
      ),
    );
    expect(error.violations.map((v) => v.field)).toEqual(['count', 'sizes[0]']);
    expect(error.message).toBe(
      '2 fields are invalid: count: count must be positive.; sizes[0]: sizes[0] must be positive.',
    );
  });

  it('passes anything but a ValidationError through at once', () => {
    expect(() =>
      validateEach('sizes', [1, 2], () => {
        throw new RuleViolation('some-rule', 'refused');
      }),
    ).toThrow(RuleViolation);
    expect(() => validateEach('sizes', [], positive)).not.toThrow();
  });
});
