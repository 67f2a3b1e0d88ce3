import type { Command, DomainEvent } from './command';
import type { Decider } from './decider';
import { DeciderSpecification, SpecificationFailure } from './decider-specification';
import { RuleViolation, ValidationError } from './domain-error';

type Opened = DomainEvent<'Opened', { id: string; limit?: number }>;
type Added = DomainEvent<'Added', { id: string; amount: number }>;
type Event = Opened | Added;
type Add = Command<'Add', { amount: number }>;
interface Counter {
  readonly id?: string;
  readonly total: number;
}

const meta = { now: '2026-12-01T00:00:00Z', actor: 'alice' };
const counter: Decider<Counter, Add, Event, { limit: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) =>
    event.type === 'Opened'
      ? { ...state, id: event.data.id }
      : { ...state, total: state.total + event.data.amount },
  decide: (command, state, context) => {
    if (state.id === undefined) throw new RuleViolation('counter-open', 'the counter is not open');
    if (command.data.amount < 0) throw new ValidationError('amount', 'amount must be ≥ 0');
    if (state.total + command.data.amount > context.limit)
      throw new RuleViolation('counter-limit', `the counter would exceed ${context.limit}`);
    return command.data.amount === 0
      ? []
      : [{ type: 'Added', data: { id: state.id, amount: command.data.amount } }];
  },
};
const given = DeciderSpecification.for(counter, { limit: 10 });
const opened: Opened = { type: 'Opened', data: { id: 'C-1' } };
const add = (amount: number): Add => ({ type: 'Add', data: { amount }, metadata: meta });

describe('DeciderSpecification', () => {
  it('passes when the decided events equal the expected ones, absent and undefined properties alike', () => {
    given([opened])
      .when(add(3))
      .then([{ type: 'Added', data: { id: 'C-1', amount: 3 } }]);
    given([{ type: 'Opened', data: { id: 'C-1', limit: undefined } }])
      .when(add(3))
      .thenEvents((events) => expect(events).toHaveLength(1));
  });

  it('folds the givens with the decider’s own evolve and uses the spec’s context unless the step gives one', () => {
    given([opened, { type: 'Added', data: { id: 'C-1', amount: 8 } }])
      .when(add(3))
      .thenThrows(RuleViolation, { rule: 'counter-limit', message: 'the counter would exceed 10' });
    given([opened, { type: 'Added', data: { id: 'C-1', amount: 8 } }])
      .when(add(3), { limit: 20 })
      .then([{ type: 'Added', data: { id: 'C-1', amount: 3 } }]);
  });

  it('fails with the path of the first difference and both event lists', () => {
    expect(() =>
      given([opened])
        .when(add(3))
        .then([{ type: 'Added', data: { id: 'C-1', amount: 4 } }]),
    ).toThrow(/differ at \[0\]\.data\.amount\nexpected: .*"amount": 4.*\nactual: .*"amount": 3/s);
    expect(() => given([opened]).when(add(3)).then([])).toThrow(SpecificationFailure);
  });

  it('fails when events were expected and decide threw, naming the error and its rule', () => {
    expect(() => given([]).when(add(1)).then([])).toThrow(
      /decide threw RuleViolation: .*counter-open/,
    );
  });

  it('checks nothing happened: an empty decision passes, events fail', () => {
    given([opened]).when(add(0)).thenNothingHappened();
    expect(() => given([opened]).when(add(1)).thenNothingHappened()).toThrow(
      /expected nothing to happen, but decided/,
    );
  });

  it('checks the error class and the given properties of a refusal', () => {
    given([]).when(add(1)).thenThrows(RuleViolation, { rule: 'counter-open' });
    given([opened])
      .when(add(-1))
      .thenThrows(ValidationError, { field: 'amount', kind: 'validation' });
    given([opened])
      .when(add(-1))
      .thenThrows(ValidationError, (error) => expect(error.message).toBe('amount must be ≥ 0'));
    expect(() => given([opened]).when(add(-1)).thenThrows(RuleViolation)).toThrow(
      /expected RuleViolation, but decide threw ValidationError/,
    );
    expect(() =>
      given([]).when(add(1)).thenThrows(RuleViolation, { rule: 'counter-limit' }),
    ).toThrow(/RuleViolation differs at rule: expected "counter-limit"/);
    expect(() => given([opened]).when(add(1)).thenThrows(RuleViolation)).toThrow(
      /expected RuleViolation, but decide returned/,
    );
  });
});
