import fc from 'fast-check';
import { REDACTED, redact } from './redaction';

describe('redact', () => {
  it('given a secret in raw, URL-encoded, base64 and JSON-escaped forms, then every form is replaced', () => {
    const secret = 'p@ss/"w"';
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${Buffer.from(secret).toString('base64')} d ${JSON.stringify(secret)}`;
    const out = redact(text, [secret]);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(Buffer.from(secret).toString('base64'));
    expect(out.split(REDACTED).length - 1).toBe(4);
  });

  it('given any secret embedded in any text, then the result does not contain it', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 4 }),
        fc.string(),
        (before, secret, after) => {
          fc.pre(!REDACTED.includes(secret));
          expect(redact(`${before}${secret}${after}`, [secret])).not.toContain(secret);
        },
      ),
    );
  });

  it('given no secrets, then the text is unchanged', () => {
    expect(redact('nothing to hide', [])).toBe('nothing to hide');
    expect(redact('nothing to hide', [''])).toBe('nothing to hide');
  });
});
