import { AllowlistConfigError, isUrlAllowed, parseUrlAllowlist } from './url-allowlist';

const allowlist = parseUrlAllowlist(
  'https://api.example.com, http://127.0.0.1:8080/hooks/  https://pay.example/v1',
);
const allowed = (url: string) => isUrlAllowed(new URL(url), allowlist);

describe('the HTTP allowlist', () => {
  it('given an origin entry, then every path of exactly that origin is allowed', () => {
    expect(allowed('https://api.example.com/')).toBe(true);
    expect(allowed('https://api.example.com/a/b?c=d')).toBe(true);
    expect(allowed('https://api.example.com:443/x')).toBe(true);
  });

  it('given an origin entry, then another scheme, port, host or subdomain is refused', () => {
    expect(allowed('http://api.example.com/')).toBe(false);
    expect(allowed('https://api.example.com:8443/')).toBe(false);
    expect(allowed('https://api.example.com.evil.example/')).toBe(false);
    expect(allowed('https://x.api.example.com/')).toBe(false);
  });

  it('given a path prefix entry, then the prefix matches at a segment boundary only', () => {
    expect(allowed('http://127.0.0.1:8080/hooks')).toBe(true);
    expect(allowed('http://127.0.0.1:8080/hooks/run')).toBe(true);
    expect(allowed('http://127.0.0.1:8080/hooks-admin')).toBe(false);
    expect(allowed('http://127.0.0.1:8080/')).toBe(false);
    expect(allowed('https://pay.example/v1/settle')).toBe(true);
    expect(allowed('https://pay.example/v10')).toBe(false);
  });

  it('given dot segments, then the URL is judged after they are resolved', () => {
    expect(allowed('http://127.0.0.1:8080/hooks/../admin')).toBe(false);
    expect(allowed('http://127.0.0.1:8080/hooks/%2e%2e/admin')).toBe(false);
  });

  it('given credentials in the URL or another scheme, then it is refused', () => {
    expect(allowed('https://user:pw@api.example.com/')).toBe(false);
    expect(isUrlAllowed(new URL('file:///etc/passwd'), allowlist)).toBe(false);
  });

  it('given an empty allowlist, then nothing is allowed', () => {
    expect(isUrlAllowed(new URL('https://api.example.com/'), parseUrlAllowlist(''))).toBe(false);
    expect(isUrlAllowed(new URL('https://api.example.com/'), parseUrlAllowlist(undefined))).toBe(
      false,
    );
  });

  it('given a malformed entry, then the configuration is refused naming it', () => {
    expect(() => parseUrlAllowlist('ftp://x.example')).toThrow(AllowlistConfigError);
    expect(() => parseUrlAllowlist('not a url')).toThrow(/"not"/);
    expect(() => parseUrlAllowlist('https://u:p@x.example')).toThrow(/credentials/);
  });
});
