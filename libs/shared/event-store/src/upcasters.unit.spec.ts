import type { StoredEvent } from './event-store.types';
import { UpcasterRegistry } from './upcasters';

const stored = (type: string, schemaVersion: number, data: unknown): StoredEvent => ({
  position: 1n,
  transactionId: 1n,
  streamId: 'person-1',
  streamVersion: 1,
  type,
  schemaVersion,
  data,
  metadata: { eventId: 'e-1', correlationId: 'c-1', actor: 'user:test' },
  recordedAt: new Date('2026-01-01T00:00:00Z'),
});

describe('UpcasterRegistry', () => {
  const registry = new UpcasterRegistry()
    .register('PersonRegistered', 1, (data) => {
      const { name } = data as { name: string };
      const [firstName = '', lastName = ''] = name.split(' ');
      return { firstName, lastName };
    })
    .register('PersonRegistered', 2, (data, event) => ({
      ...(data as object),
      registeredIn: event.streamId,
    }));

  it('climbs every step from the stored version to the newest', () => {
    const event = registry.upcast(stored('PersonRegistered', 1, { name: 'Ada Lovelace' }));
    expect(event).toMatchObject({
      schemaVersion: 3,
      data: { firstName: 'Ada', lastName: 'Lovelace', registeredIn: 'person-1' },
    });
  });

  it('starts from the stored version', () => {
    const event = registry.upcast(
      stored('PersonRegistered', 2, { firstName: 'Grace', lastName: 'Hopper' }),
    );
    expect(event).toMatchObject({
      schemaVersion: 3,
      data: { firstName: 'Grace', lastName: 'Hopper', registeredIn: 'person-1' },
    });
  });

  it('returns current shapes and other types unchanged', () => {
    const current = stored('PersonRegistered', 3, {
      firstName: 'A',
      lastName: 'B',
      registeredIn: 'x',
    });
    const other = stored('PersonRenamed', 1, { name: 'C D' });
    expect(registry.upcast(current)).toBe(current);
    expect(registry.upcast(other)).toBe(other);
  });

  it('does not modify the event it was given (stored rows are never rewritten)', () => {
    const original = stored('PersonRegistered', 1, { name: 'Ada Lovelace' });
    registry.upcast(original);
    expect(original).toEqual(stored('PersonRegistered', 1, { name: 'Ada Lovelace' }));
  });

  it('refuses two upcasters for the same type and version', () => {
    expect(() =>
      new UpcasterRegistry().register('A', 1, (d) => d).register('A', 1, (d) => d),
    ).toThrow('already registered');
  });

  it('counts registered upcasters', () => {
    expect(registry.size).toBe(2);
    expect(new UpcasterRegistry().size).toBe(0);
  });
});
