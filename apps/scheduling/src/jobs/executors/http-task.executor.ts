import {
  RenderError,
  checkJsonExpectations,
  describeRefusal,
  isStatusExpected,
  isUrlAllowed,
  redact,
  renderJson,
  renderText,
  renderUrl,
  secretsNeeded,
  type HttpExecutor,
  type RenderContext,
} from '@trainyard/scheduling-domain';
import type { TaskExecution, TaskExecutionResult } from '../runtime-ports';
import { openExecutionScope, reasonOf, shortDetail } from './execution-scope';
import type { ExecutorsConfig } from './executors.config';
import type { ExecutorLogger, SecretResolver } from './secret-resolver';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

class ResponseTooLarge extends Error {}

/** Reads at most `max` bytes of the body; a longer one is cancelled and refused. */
const readCapped = async (response: Response, max: number): Promise<Uint8Array> => {
  if (!response.body) return new Uint8Array();
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge(`the response is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
};

/**
 * An HTTP call to an external system (issue 12, item 2). The URL — and every redirect target —
 * must be on the operator's allowlist; redirects are followed by hand (`redirect: 'manual'`) so
 * none can leave it, and headers carrying secrets are dropped when a redirect changes the origin.
 * The task key goes out as `Idempotency-Key`, the fencing tokens as `X-Trainyard-Fencing-Tokens`.
 * Success: the expected status and every JSON predicate. The body read is capped.
 */
export class HttpTaskExecutor {
  constructor(
    private readonly config: ExecutorsConfig['http'],
    private readonly secrets: SecretResolver,
    private readonly logger: ExecutorLogger,
  ) {}

  async execute(executor: HttpExecutor, execution: TaskExecution): Promise<TaskExecutionResult> {
    const templates = Object.values(executor.headers ?? {});
    let secretValues: readonly string[] = [];
    const finish = (result: TaskExecutionResult): TaskExecutionResult => {
      const detail =
        result.detail === undefined ? undefined : shortDetail(redact(result.detail, secretValues));
      const out = { ...result, ...(detail === undefined ? {} : { detail }) };
      this.logger.log(
        redact(
          `task ${execution.job}/${execution.taskId} (run ${execution.runId}, attempt ${execution.attempt}): http ${out.outcome}${out.detail ? ` — ${out.detail}` : ''}`,
          secretValues,
        ),
      );
      return out;
    };
    const scope = openExecutionScope(execution);
    try {
      let resolved: ReadonlyMap<string, string>;
      try {
        resolved = await this.secrets.resolve(secretsNeeded(templates, execution.parameters));
      } catch (error) {
        return finish({ outcome: 'failed', detail: `secrets unavailable: ${reasonOf(error)}` });
      }
      const context: RenderContext = { parameters: execution.parameters, secrets: resolved };
      let url: URL;
      const headers = new Headers();
      const secretHeaders = new Set<string>();
      let body: string | undefined;
      try {
        url = renderUrl(executor.url, context, 'url');
        for (const [name, template] of Object.entries(executor.headers ?? {})) {
          const rendered = renderText(template, context, `headers.${name}`, { allowSecrets: true });
          if (rendered.secretsUsed.length > 0) {
            secretHeaders.add(name.toLowerCase());
            secretValues = [...secretValues, ...rendered.secretsUsed];
          }
          // A value may not end the header or start another (CR, LF, NUL): header injection.
          if (/[\r\n\0]/.test(rendered.value))
            throw new RenderError(
              `headers.${name}`,
              `headers.${name} renders a line break or NUL, which a header cannot hold.`,
            );
          headers.set(name, rendered.value);
        }
        if (executor.body !== undefined) {
          body = JSON.stringify(renderJson(executor.body, context, 'body'));
          if (!headers.has('content-type')) headers.set('content-type', 'application/json');
        }
      } catch (error) {
        if (error instanceof RenderError)
          return finish({ outcome: 'failed', detail: error.message });
        throw error;
      }
      if (!headers.has('idempotency-key')) headers.set('idempotency-key', execution.taskKey);
      headers.set('x-trainyard-fencing-tokens', JSON.stringify(execution.fencingTokens));
      if (!isUrlAllowed(url, this.config.allowlist))
        return finish({ outcome: 'failed', detail: `refused: ${describeRefusal(url)}` });

      let method: string = executor.method;
      let response: Response;
      for (let redirects = 0; ; redirects++) {
        response = await fetch(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          redirect: 'manual',
          signal: scope.signal,
        });
        const location = response.headers.get('location');
        if (!REDIRECTS.has(response.status) || location === null) break;
        await response.body?.cancel().catch(() => undefined);
        if (!URL.canParse(location, url.href))
          return finish({
            outcome: 'failed',
            httpStatus: response.status,
            detail: 'redirect to an invalid location refused',
          });
        const next = new URL(location, url);
        if (!isUrlAllowed(next, this.config.allowlist))
          return finish({
            outcome: 'failed',
            httpStatus: response.status,
            detail: `redirect refused: ${describeRefusal(next)}`,
          });
        if (redirects + 1 > this.config.maxRedirects)
          return finish({
            outcome: 'failed',
            httpStatus: response.status,
            detail: `more than ${this.config.maxRedirects} redirects`,
          });
        if (
          response.status === 303 ||
          ((response.status === 301 || response.status === 302) && method === 'POST')
        ) {
          method = 'GET';
          body = undefined;
          headers.delete('content-type');
        }
        if (next.origin !== url.origin) for (const name of secretHeaders) headers.delete(name);
        url = next;
      }
      const status = response.status;
      const bytes = await readCapped(response, this.config.maxResponseBytes);
      const where = `${method} ${url.origin}${url.pathname}`;
      if (!isStatusExpected(status, executor.expect))
        return finish({
          outcome: 'failed',
          httpStatus: status,
          detail: `HTTP ${status} from ${where}, not an expected status`,
        });
      const predicates = executor.expect?.json ?? [];
      if (predicates.length > 0) {
        let document: unknown;
        try {
          document = JSON.parse(Buffer.from(bytes).toString('utf8'));
        } catch {
          return finish({
            outcome: 'failed',
            httpStatus: status,
            detail: `HTTP ${status} from ${where}: the response is not JSON`,
          });
        }
        const verdict = checkJsonExpectations(document, predicates);
        if (!verdict.ok)
          return finish({
            outcome: 'failed',
            httpStatus: status,
            detail: `HTTP ${status} from ${where}: ${verdict.reason}`,
          });
      }
      return finish({
        outcome: 'succeeded',
        httpStatus: status,
        detail: `HTTP ${status} from ${where}`,
      });
    } catch (error) {
      if (scope.timedOut())
        return finish({
          outcome: 'timed-out',
          detail: `no complete response within ${execution.timeoutMs} ms`,
        });
      if (execution.signal.aborted)
        return finish({
          outcome: 'failed',
          detail: `cancelled: ${reasonOf(execution.signal.reason)}`,
        });
      if (error instanceof ResponseTooLarge)
        return finish({ outcome: 'failed', detail: error.message });
      return finish({ outcome: 'failed', detail: `request failed: ${reasonOf(error)}` });
    } finally {
      scope.close();
    }
  }
}
