import { status as GrpcStatus } from '@grpc/grpc-js';
import type { MappedError } from './mapped-error';

/** The body parser's refusal of a JSON body that does not parse (body-parser's `entity.parse.failed`). */
interface BodyParseError {
  readonly type: 'entity.parse.failed';
  readonly message: string;
  readonly body?: unknown;
}

// By its marks, not `instanceof SyntaxError`: the parser's error may come from another realm.
const isBodyParseError = (exception: unknown): exception is BodyParseError =>
  typeof exception === 'object' &&
  exception !== null &&
  (exception as { type?: unknown }).type === 'entity.parse.failed' &&
  typeof (exception as { message?: unknown }).message === 'string';

/** Line and column (both from 1) of a position (from 0) in the text. */
const lineAndColumn = (text: string, position: number): { line: number; column: number } => {
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
};

/**
 * What is wrong with the body and where, from V8's JSON.parse message: `… in JSON at position N
 * (line L column C)`, `Unexpected end of JSON input`, or `Unexpected token 'x', "…" is not valid
 * JSON` (no position given: the token's, when it occurs once). The body itself is never echoed.
 */
export const jsonSyntaxProblem = (
  message: string,
  text: string,
): { readonly reason: string; readonly position?: number } => {
  if (/^Unexpected end of JSON input/.test(message))
    return { reason: 'unexpected end of input', position: text.length };
  const positioned = /^(.*?)(?: in JSON| after JSON)? at position (\d+)/.exec(message);
  if (positioned?.[1] !== undefined && positioned[2] !== undefined)
    return {
      reason: `${positioned[1].charAt(0).toLowerCase()}${positioned[1].slice(1)}${/after JSON/.test(message) ? ' after the JSON value' : ''}`,
      position: Number(positioned[2]),
    };
  const token = /^Unexpected token '(.+?)',/.exec(message)?.[1];
  if (token !== undefined) {
    const at = text.indexOf(token);
    return {
      reason: `unexpected token '${token}'`,
      ...(at >= 0 && at === text.lastIndexOf(token) ? { position: at } : {}),
    };
  }
  return { reason: 'it does not parse' };
};

/**
 * A request body sent as JSON that is not JSON: 400 with a problem of its own type saying what is
 * wrong and where (position from 0, line and column from 1), instead of the parser's bare message.
 */
export function malformedJsonOf(exception: unknown): MappedError | undefined {
  if (!isBodyParseError(exception)) return undefined;
  const text = typeof exception.body === 'string' ? exception.body : '';
  const { reason, position } = jsonSyntaxProblem(exception.message, text);
  let where = '';
  if (position !== undefined) {
    const { line, column } = lineAndColumn(text, position);
    where = ` at position ${position} (line ${line}, column ${column})`;
  }
  return {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    http: 400,
    reason: 'MALFORMED_JSON',
    message: `The request body is not valid JSON: ${reason}${where}.`,
    problem: { slug: 'malformed-json', title: 'Malformed JSON body' },
  };
}

/** A JSON body that does not parse, as the platform's error filter receives it. */
export class MalformedJsonBody extends Error {
  constructor(readonly mapped: MappedError) {
    super(mapped.message);
    this.name = 'MalformedJsonBody';
  }
}

/**
 * Express error middleware, right after the JSON body parser: Nest turns the parser's SyntaxError
 * into a bare BadRequestException (its message only, neither body nor position), so the parser's
 * error is read here first and passed on as MalformedJsonBody. Four parameters: Express knows an
 * error handler by its arity.
 */
export const keepMalformedJsonDetail = (
  error: unknown,
  _request: unknown,
  _response: unknown,
  next: (error?: unknown) => void,
): void => {
  const mapped = malformedJsonOf(error);
  next(mapped ? new MalformedJsonBody(mapped) : error);
};
