import { assertCommitOrder } from './commit-order';

const key = (transaction_id: string, position: string) => ({ transaction_id, position });

describe('assertCommitOrder', () => {
  it('accepts rows ascending by transaction id, then position', () => {
    expect(() =>
      assertCommitOrder([
        key('9', '100'),
        key('10', '3'),
        key('10', '4'),
        key('10', '10'),
        key('18446744073709551615', '1'),
      ]),
    ).not.toThrow();
    expect(() => assertCommitOrder([])).not.toThrow();
    expect(() => assertCommitOrder([key('1', '1')])).not.toThrow();
  });

  it.each([
    ['a smaller transaction id', [key('10', '1'), key('9', '2')]],
    ['a smaller position in the same transaction', [key('10', '10'), key('10', '9')]],
    ['the same row twice', [key('10', '5'), key('10', '5')]],
    ['a negative position after a positive one', [key('10', '1'), key('10', '-2')]],
  ])('throws on %s', (_case, rows) => {
    expect(() => assertCommitOrder(rows)).toThrow(/out of commit-safe order/);
  });

  it('orders negative positions numerically', () => {
    expect(() =>
      assertCommitOrder([key('10', '-10'), key('10', '-9'), key('10', '0')]),
    ).not.toThrow();
    expect(() => assertCommitOrder([key('10', '-9'), key('10', '-10')])).toThrow();
  });
});
