import { assertIsoInstant, assertNonEmpty } from './assert';
import {
  AlreadyExistsError,
  ConcurrencyConflict,
  DomainError,
  NotFoundError,
  RuleViolation,
  ValidationError,
  isDomainError,
} from './domain-error';

describe('the kernel error hierarchy', () => {
  it('keeps the message as written and carries the field or rule beside it', () => {
    const missing = new ValidationError('title', 'title is required');
    expect(missing).toMatchObject({
      kind: 'validation',
      field: 'title',
      message: 'title is required',
      name: 'ValidationError',
    });
    const cycle = new RuleViolation('dependency-acyclic', 'dependency cycle: A → B → A');
    expect(cycle).toMatchObject({
      kind: 'rule_violation',
      rule: 'dependency-acyclic',
      message: 'dependency cycle: A → B → A',
    });
  });

  it('carries every invalid field of a request, the first as `field`, all in the message', () => {
    expect(new ValidationError('title', 'title is required').violations).toEqual([
      { field: 'title', message: 'title is required' },
    ]);
    const several = ValidationError.of([
      { field: 'title', message: 'title is required' },
      { field: 'window.end', message: 'window.end must be after window.start' },
      { field: 'libraries[1].version', message: 'must be semver' },
    ]);
    expect(several).toMatchObject({ kind: 'validation', field: 'title' });
    expect(several.violations.map((v) => v.field)).toEqual([
      'title',
      'window.end',
      'libraries[1].version',
    ]);
    expect(several.message).toBe(
      '3 fields are invalid: title: title is required; window.end: window.end must be after window.start; libraries[1].version: must be semver',
    );
    expect(ValidationError.of([{ field: 'a', message: 'a is required' }]).message).toBe(
      'a is required',
    );
  });

  it('names entity and id for what does not or already exists, with a default sentence', () => {
    expect(new NotFoundError('release', 'R-1')).toMatchObject({
      kind: 'not_found',
      message: 'release R-1 not found',
    });
    expect(new AlreadyExistsError('workload', 'W-1')).toMatchObject({
      kind: 'already_exists',
      message: 'workload W-1 already exists',
    });
  });

  it('has one base class every kind shares', () => {
    for (const error of [
      new ValidationError('f', 'f is required'),
      new RuleViolation('r', 'refused'),
      new NotFoundError('e', 'i'),
      new AlreadyExistsError('e', 'i'),
      new ConcurrencyConflict(),
    ]) {
      expect(error).toBeInstanceOf(DomainError);
      expect(isDomainError(error)).toBe(true);
    }
    expect(new ConcurrencyConflict().kind).toBe('conflict');
    expect(isDomainError(new Error('plain'))).toBe(false);
  });

  it('asserts required text and ISO-8601 instants, naming the field', () => {
    expect(assertNonEmpty('title', 'x')).toBe('x');
    expect(() => assertNonEmpty('title', ' ')).toThrow(
      new ValidationError('title', 'title is required'),
    );
    expect(assertIsoInstant('at', '2026-12-01T08:00:00Z')).toBe('2026-12-01T08:00:00Z');
    expect(() => assertIsoInstant('at', '2026-12-01')).toThrow(
      expect.objectContaining({
        field: 'at',
        message: 'at must be an ISO-8601 instant; got 2026-12-01',
      }) as Error,
    );
  });
});
