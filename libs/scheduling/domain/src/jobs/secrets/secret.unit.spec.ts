import { NotFoundError, ValidationError } from '@trainyard/kernel';
import {
  decideSecret,
  evolveSecret,
  initialSecret,
  validateSecretInput,
  type Secret,
  type SecretCommand,
  type SecretEvent,
} from './secret';

const metadata = { now: '2026-12-06T03:00:00.000Z', actor: 'ops-1' };
const put = (valueId: string): SecretCommand => ({
  type: 'PutSecret',
  data: { name: 'ledger-token', valueId, kekId: 'kek-a' },
  metadata,
});
const del: SecretCommand = { type: 'DeleteSecret', data: { name: 'ledger-token' }, metadata };
const given = (events: SecretEvent[]): Secret => events.reduce(evolveSecret, initialSecret());

describe('secret', () => {
  describe('given no secret', () => {
    it('when put, then it is set at version 1, the event holding no value', () => {
      const events = decideSecret(put('v1'), given([]));
      expect(events).toEqual([
        {
          type: 'SecretSet',
          data: {
            name: 'ledger-token',
            version: 1,
            valueId: 'v1',
            kekId: 'kek-a',
            setBy: 'ops-1',
            setAt: metadata.now,
          },
        },
      ]);
    });
    it('when deleted, then it is not found', () => {
      expect(() => decideSecret(del, given([]))).toThrow(NotFoundError);
    });
  });

  describe('given a set secret', () => {
    const set = decideSecret(put('v1'), given([]));
    it('when put again, then it is rotated to the next version', () => {
      expect(decideSecret(put('v2'), given(set))).toMatchObject([
        { type: 'SecretRotated', data: { version: 2, valueId: 'v2', rotatedBy: 'ops-1' } },
      ]);
    });
    it('when deleted, then it is deleted at its version; deleting again does nothing', () => {
      const deleted = decideSecret(del, given(set));
      expect(deleted).toMatchObject([{ type: 'SecretDeleted', data: { version: 1 } }]);
      expect(decideSecret(del, given([...set, ...deleted]))).toEqual([]);
    });
    it('when put after a delete, then it is set again with the next version', () => {
      const deleted = decideSecret(del, given(set));
      expect(decideSecret(put('v3'), given([...set, ...deleted]))).toMatchObject([
        { type: 'SecretSet', data: { version: 2, valueId: 'v3' } },
      ]);
    });
  });

  describe('input', () => {
    it('refuses bad names and values naming the field', () => {
      const fieldOf = (f: () => void) => {
        try {
          f();
        } catch (e) {
          return e instanceof ValidationError ? e.field : 'other';
        }
        return 'none';
      };
      expect(fieldOf(() => validateSecretInput('Bad Name', 'x'))).toBe('name');
      expect(fieldOf(() => validateSecretInput('', 'x'))).toBe('name');
      expect(fieldOf(() => validateSecretInput('a'.repeat(201), 'x'))).toBe('name');
      expect(fieldOf(() => validateSecretInput('ok', ''))).toBe('value');
      expect(fieldOf(() => validateSecretInput('ok', 'x'.repeat(64 * 1024 + 1)))).toBe('value');
      expect(fieldOf(() => validateSecretInput('team/ledger.token_1', 'x'))).toBe('none');
    });
  });
});
