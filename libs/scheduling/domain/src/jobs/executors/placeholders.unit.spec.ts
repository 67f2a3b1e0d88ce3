import fc from 'fast-check';
import {
  RenderError,
  renderJson,
  renderText,
  renderUrl,
  secretsNeeded,
  type RenderContext,
} from './placeholders';

const context = (
  parameters: RenderContext['parameters'],
  secrets: Record<string, string> = {},
): RenderContext => ({ parameters, secrets: new Map(Object.entries(secrets)) });

const renderErrorOf = (fn: () => unknown): RenderError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RenderError) return error;
    throw error;
  }
  throw new Error('expected a RenderError');
};

describe('renderUrl', () => {
  it('given path and query placeholders, when rendered, then each value is one encoded component', () => {
    const url = renderUrl(
      'https://api.example/v1/accounts/{{account}}/close?batch={{batch}}',
      context({ account: 'a/b?c#d', batch: 'x&admin=true' }),
      'url',
    );
    expect(url.origin).toBe('https://api.example');
    expect(url.pathname).toBe('/v1/accounts/a%2Fb%3Fc%23d/close');
    expect(url.searchParams.get('batch')).toBe('x&admin=true');
    expect(url.searchParams.get('admin')).toBeNull();
  });

  it('given any value, when rendered into a path segment, then the origin and the other segments stay as written', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((v) => v !== '.' && v !== '..'),
        (value) => {
          const url = renderUrl(
            'https://api.example/v1/{{value}}/end?q={{value}}',
            context({ value }),
            'url',
          );
          expect(url.origin).toBe('https://api.example');
          const segments = url.pathname.split('/');
          expect(segments).toHaveLength(4);
          expect(segments[1]).toBe('v1');
          expect(segments[3]).toBe('end');
          expect(decodeURIComponent(segments[2] ?? '')).toBe(value);
          expect(url.searchParams.get('q')).toBe(value);
          expect(url.hash).toBe('');
        },
      ),
    );
  });

  it('given a value . or .., when rendered into the path, then it is refused (parsers resolve dot segments)', () => {
    for (const value of ['.', '..'])
      expect(
        renderErrorOf(() =>
          renderUrl('https://api.example/v1/{{p}}/x', context({ p: value }), 'url'),
        ).field,
      ).toBe('url');
  });

  it('given a placeholder in the origin, when rendered, then it is refused naming the field', () => {
    const error = renderErrorOf(() =>
      renderUrl('https://{{host}}/x', context({ host: 'evil.example' }), 'tasks[0].executor.url'),
    );
    expect(error.field).toBe('tasks[0].executor.url');
    expect(error.message).toMatch(/literal http\(s\) origin/);
  });

  it('given a secret in a URL, when rendered, then it is refused (URLs are logged)', () => {
    expect(() =>
      renderUrl('https://api.example/{{secret:token}}', context({}, { token: 's3cr3t' }), 'url'),
    ).toThrow(/secrets go only into headers or env/);
    expect(() =>
      renderUrl(
        'https://api.example/?t={{t}}',
        context({ t: 'secret:token' }, { token: 's' }),
        'url',
      ),
    ).toThrow(/may not use a secret/);
  });
});

describe('renderText', () => {
  it('given a secret placeholder where secrets are allowed, when rendered, then the value is returned and reported', () => {
    const rendered = renderText(
      'Bearer {{secret:api-token}} for {{team}}',
      context({ team: 'finance' }, { 'api-token': 'tok-123' }),
      'headers.Authorization',
      { allowSecrets: true },
    );
    expect(rendered.value).toBe('Bearer tok-123 for finance');
    expect(rendered.secretsUsed).toEqual(['tok-123']);
  });

  it('given a secret-ref parameter, when rendered in a header, then the referenced secret is used', () => {
    const rendered = renderText(
      '{{token}}',
      context({ token: 'secret:ledger' }, { ledger: 'L' }),
      'h',
      {
        allowSecrets: true,
      },
    );
    expect(rendered).toEqual({ value: 'L', secretsUsed: ['L'] });
  });

  it('given a secret that is not stored, when rendered, then the field and the secret name are named', () => {
    const error = renderErrorOf(() =>
      renderText('{{secret:missing}}', context({}), 'headers.X-Key', { allowSecrets: true }),
    );
    expect(error.field).toBe('headers.X-Key');
    expect(error.message).toMatch(/secret missing, which is not stored/);
  });

  it('given a parameter without a value, when rendered, then it is refused naming the field', () => {
    expect(renderErrorOf(() => renderText('{{nope}}', context({}), 'args[1]')).field).toBe(
      'args[1]',
    );
  });

  it('given hostile values, when rendered, then the value appears verbatim, once, in place', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(renderText('--name={{v}}', context({ v: value }), 'args[0]').value).toBe(
          `--name=${value}`,
        );
      }),
    );
  });
});

describe('renderJson', () => {
  it('given a whole-string placeholder, when rendered, then the parameter keeps its type', () => {
    expect(
      renderJson(
        { batch: '{{batch}}', dry: '{{dry}}', label: 'run {{batch}}', nested: ['{{name}}'] },
        context({ batch: 100, dry: false, name: 'x' }),
        'body',
      ),
    ).toEqual({ batch: 100, dry: false, label: 'run 100', nested: ['x'] });
  });

  it('given hostile string values, when rendered and serialised, then the structure is unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const body = JSON.parse(
          JSON.stringify(renderJson({ a: '{{v}}', b: 'x{{v}}y' }, context({ v: value }), 'body')),
        ) as Record<string, unknown>;
        expect(Object.keys(body)).toEqual(['a', 'b']);
        expect(body.a).toBe(value);
        expect(body.b).toBe(`x${value}y`);
      }),
    );
  });

  it('given a secret in a body, when rendered, then it is refused naming the nested field', () => {
    const error = renderErrorOf(() =>
      renderJson({ auth: { token: '{{secret:t}}' } }, context({}, { t: 'v' }), 'body'),
    );
    expect(error.field).toBe('body.auth.token');
  });
});

describe('secretsNeeded', () => {
  it('given direct and parameter references, when listed, then each secret is named once', () => {
    expect(
      secretsNeeded(['{{secret:b}} {{token}}', '{{secret:b}}', '{{plain}}'], {
        token: 'secret:a',
        plain: 'secret-looking-but-not:x',
      }),
    ).toEqual(['a', 'b']);
  });
});
