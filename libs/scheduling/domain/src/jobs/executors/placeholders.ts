/**
 * `{{name}}` placeholders of executor templates (issue 12, item 2), rendered without injection:
 * every value lands in exactly one slot of a structure (one URL path segment or query value,
 * URL-encoded; one argv element; one JSON value), never re-parsed by a shell or a URL parser.
 *
 * Two kinds of reference: `{{param}}` names a declared parameter; `{{secret:name}}` names a stored
 * secret directly. A parameter whose value is `secret:<name>` (type `secret-ref`) is a secret too.
 * Secret values are allowed only where `allowSecrets` is set (HTTP headers, command env): never in
 * a URL, an argv element (visible in `ps`), a body or a Kafka message.
 */
export type ParameterValues = Readonly<Record<string, string | number | boolean>>;

export const PLACEHOLDER_PATTERN = /\{\{\s*([^}\s]*)\s*\}\}/g;
export const SECRET_NAME = /^[a-z0-9]+(?:[-_./][a-z0-9]+)*$/;
export const SECRET_NAME_MAX = 200;
const SECRET_PREFIX = 'secret:';

/** What a placeholder names: a parameter, or a secret (directly or through a secret-ref value). */
export type PlaceholderRef =
  | { readonly kind: 'parameter'; readonly name: string }
  | { readonly kind: 'secret'; readonly name: string };

export const parsePlaceholderRef = (ref: string): PlaceholderRef =>
  ref.startsWith(SECRET_PREFIX)
    ? { kind: 'secret', name: ref.slice(SECRET_PREFIX.length) }
    : { kind: 'parameter', name: ref };

export const isSecretName = (name: string): boolean =>
  name.length > 0 && name.length <= SECRET_NAME_MAX && SECRET_NAME.test(name);

/** The secret a parameter value refers to (`secret:<name>`), if it is such a reference. */
export const secretOfValue = (value: string | number | boolean): string | undefined =>
  typeof value === 'string' &&
  value.startsWith(SECRET_PREFIX) &&
  isSecretName(value.slice(SECRET_PREFIX.length))
    ? value.slice(SECRET_PREFIX.length)
    : undefined;

/** Every placeholder of `text`, in order. */
export const placeholdersOf = (text: string): PlaceholderRef[] =>
  [...text.matchAll(PLACEHOLDER_PATTERN)].map((m) => parsePlaceholderRef(m[1] ?? ''));

/** A rendering failure, naming the template's field (`url`, `headers.Authorization`, `args[2]`). */
export class RenderError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

/** Secret values by name, resolved before rendering (the renderer does no I/O). */
export type SecretValues = ReadonlyMap<string, string>;

export interface RenderContext {
  readonly parameters: ParameterValues;
  readonly secrets: SecretValues;
}

/** A rendered text and the secret values in it (so the caller can redact them). */
export interface Rendered<T> {
  readonly value: T;
  readonly secretsUsed: readonly string[];
}

/** The secrets a template needs (to resolve them before rendering). */
export const secretsNeeded = (texts: readonly string[], parameters: ParameterValues): string[] => {
  const names = new Set<string>();
  for (const text of texts)
    for (const ref of placeholdersOf(text)) {
      if (ref.kind === 'secret') names.add(ref.name);
      else {
        const value = parameters[ref.name];
        const secret = value === undefined ? undefined : secretOfValue(value);
        if (secret !== undefined) names.add(secret);
      }
    }
  return [...names].sort();
};

type Resolved = {
  readonly text: string;
  readonly secret: boolean;
  readonly raw: string | number | boolean;
};

const resolve = (
  ref: PlaceholderRef,
  context: RenderContext,
  field: string,
  allowSecrets: boolean,
): Resolved => {
  let secretName: string;
  if (ref.kind === 'secret') secretName = ref.name;
  else {
    if (!Object.prototype.hasOwnProperty.call(context.parameters, ref.name))
      throw new RenderError(field, `${field} refers to {{${ref.name}}}, which has no value.`);
    const raw = context.parameters[ref.name] as string | number | boolean;
    const referenced = secretOfValue(raw);
    if (referenced === undefined) return { text: String(raw), secret: false, raw };
    secretName = referenced;
  }
  if (!allowSecrets)
    throw new RenderError(
      field,
      `${field} may not use a secret (${secretName}): secrets go only into headers or env.`,
    );
  const value = context.secrets.get(secretName);
  if (value === undefined)
    throw new RenderError(
      field,
      `${field} refers to the secret ${secretName}, which is not stored.`,
    );
  return { text: value, secret: true, raw: value };
};

/**
 * Renders a text template (a header value, an argv element, an env value, a Kafka key): each
 * placeholder replaced by its value, as is. Injection is impossible because the result is one
 * header value / one argv element: nothing re-parses it.
 */
export const renderText = (
  template: string,
  context: RenderContext,
  field: string,
  options: { readonly allowSecrets?: boolean } = {},
): Rendered<string> => {
  const secretsUsed: string[] = [];
  const value = template.replace(PLACEHOLDER_PATTERN, (_m, ref: string) => {
    const resolved = resolve(
      parsePlaceholderRef(ref),
      context,
      field,
      options.allowSecrets ?? false,
    );
    if (resolved.secret) secretsUsed.push(resolved.text);
    return resolved.text;
  });
  return { value, secretsUsed };
};

/**
 * Renders a JSON template (an HTTP body, a Kafka payload): a string that is exactly one
 * placeholder becomes the parameter's typed value (a number stays a number); placeholders inside
 * longer strings are interpolated into that string. The structure is built, then serialised by
 * the caller: a value can never close a quote or add a key. Secrets are refused.
 */
export const renderJson = (template: unknown, context: RenderContext, field: string): unknown => {
  if (typeof template === 'string') {
    const whole = /^\{\{\s*([^}\s]*)\s*\}\}$/.exec(template);
    if (whole) return resolve(parsePlaceholderRef(whole[1] ?? ''), context, field, false).raw;
    return renderText(template, context, field).value;
  }
  if (Array.isArray(template))
    return template.map((item, i) => renderJson(item, context, `${field}[${i}]`));
  if (typeof template === 'object' && template !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template))
      Object.defineProperty(out, key, {
        value: renderJson(value, context, `${field}.${key}`),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return template;
};

/**
 * Renders an absolute URL template. The origin (scheme, host, port) must be literal — a parameter
 * never chooses where a request goes; each placeholder in the path or query is percent-encoded as
 * one component (`/`, `?`, `#`, `&`, `=` included), and a value that would make a path segment
 * `.` or `..` is refused (URL parsers resolve those even when encoded).
 */
export const renderUrl = (template: string, context: RenderContext, field: string): URL => {
  const origin = /^(https?:\/\/[^/?#{}]+)(.*)$/s.exec(template);
  if (!origin)
    throw new RenderError(
      field,
      `${field} must start with a literal http(s) origin (no placeholders before the path).`,
    );
  const rest = (origin[2] ?? '').replace(PLACEHOLDER_PATTERN, (_m, ref: string) => {
    const resolved = resolve(parsePlaceholderRef(ref), context, field, false);
    return encodeURIComponent(resolved.text);
  });
  for (const segment of (rest.split(/[?#]/)[0] ?? '').split('/'))
    if (/^(\.|%2e){1,2}$/i.test(segment))
      throw new RenderError(
        field,
        `${field} renders a path segment "${segment}", which is refused.`,
      );
  const text = `${origin[1] ?? ''}${rest}`;
  if (!URL.canParse(text)) throw new RenderError(field, `${field} does not render a valid URL.`);
  return new URL(text);
};
