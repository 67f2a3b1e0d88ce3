/**
 * Secret values out of every text that leaves an executor (a task's detail, a log line): each
 * occurrence of a value, and of its URL-encoded and base64 forms (a header such as Basic auth or
 * a server echoing a query carries those), becomes `[REDACTED]`. Longest first, so a secret that
 * contains another is replaced whole.
 */
export const REDACTED = '[REDACTED]';

const forms = (secret: string): string[] => [
  secret,
  encodeURIComponent(secret),
  btoa(String.fromCharCode(...new TextEncoder().encode(secret))),
  JSON.stringify(secret).slice(1, -1),
];

export const redact = (text: string, secrets: readonly string[]): string => {
  const needles = [...new Set(secrets.filter((s) => s !== '').flatMap(forms))].sort(
    (a, b) => b.length - a.length,
  );
  let out = text;
  for (const needle of needles) out = out.split(needle).join(REDACTED);
  return out;
};
