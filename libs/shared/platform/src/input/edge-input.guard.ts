import {
  BadRequestException,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import {
  MAX_INPUT_PROBLEMS,
  ValidationError,
  findUnstorableTexts,
  type InputProblem,
} from '@trainyard/kernel';
import { MALFORMED_REQUEST } from './malformed-request';

export const MAX_STRING_BYTES = Symbol('trainyard.max-string-bytes');

interface HttpRequest {
  readonly params?: unknown;
  readonly query?: unknown;
  readonly body?: unknown;
}

/**
 * Global guard, after authentication: every string of a gRPC request message and of an HTTP
 * request's path parameters, query and body is one the database can store (no NUL, no lone
 * surrogate, within the length limit), else INVALID_ARGUMENT / 400 naming every such field (up to
 * MAX_INPUT_PROBLEMS), before any handler runs, so nothing is written. gRPC field paths are reported in the message's camelCase
 * and become snake_case in the error mapping.
 */
@Injectable()
export class EdgeInputGuard implements CanActivate {
  constructor(@Inject(MAX_STRING_BYTES) private readonly maxBytes: number) {}

  canActivate(context: ExecutionContext): boolean {
    let problems: InputProblem[] = [];
    if (context.getType() === 'rpc') {
      const data = context.switchToRpc().getData<unknown>();
      if (typeof data === 'object' && data !== null && MALFORMED_REQUEST in data) {
        throw new BadRequestException(
          `request is not a valid protobuf message of the method's type: ${String(data[MALFORMED_REQUEST])}`,
        );
      }
      problems = findUnstorableTexts(data, this.maxBytes);
    } else if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<HttpRequest>();
      problems = [request.params, request.query, request.body]
        .flatMap((part) => findUnstorableTexts(part ?? {}, this.maxBytes))
        .slice(0, MAX_INPUT_PROBLEMS);
    }
    const [first, ...more] = problems;
    if (first) throw ValidationError.of([first, ...more]);
    return true;
  }
}
