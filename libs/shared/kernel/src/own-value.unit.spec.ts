import { ownValue } from './own-value';

describe('ownValue', () => {
  it.each(['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'isPrototypeOf'])(
    'reads no Object.prototype member for %s',
    (key) => {
      expect(ownValue<number>({ payments: 3 }, key)).toBeUndefined();
      expect(ownValue<number>({ [key]: 7 }, key)).toBe(7);
    },
  );

  it('reads own keys, and nothing from an absent record', () => {
    expect(ownValue({ payments: 3 }, 'payments')).toBe(3);
    expect(ownValue({ payments: 3 }, 'ledger')).toBeUndefined();
    expect(ownValue<number>(undefined, 'payments')).toBeUndefined();
  });
});
