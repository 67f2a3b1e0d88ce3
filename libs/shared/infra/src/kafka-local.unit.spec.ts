import { kraftClusterId } from './kafka-local';

describe('kraftClusterId', () => {
  // Regression: an id starting with '-' made `kafka-storage format -t <id>` fail ("expected one
  // argument"), so a fresh machine's first broker start failed about once in 64.
  it('is 22 URL-safe base64 characters (16 bytes) and never starts with a dash', () => {
    const ids = Array.from({ length: 5_000 }, () => kraftClusterId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(Buffer.from(ids[0] ?? '', 'base64url')).toHaveLength(16);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
