import {
  Inject,
  Injectable,
  SetMetadata,
  UnsupportedMediaTypeException,
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';

const BODY_MEDIA_TYPES = 'trainyard:body-media-types';

/** What a route takes unless it says otherwise (ConsumesBody): JSON, `application/*+json` too. */
export const JSON_MEDIA_TYPE = 'application/json';

/**
 * The media types a route reads its body as, when not (only) JSON: checked by RequestBodyTypeGuard
 * and documented in OpenAPI (ApiConsumes).
 */
export const ConsumesBody = (...types: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(BODY_MEDIA_TYPES, types), ApiConsumes(...types));

interface HttpRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** The media type of a Content-Type header, lower case, without parameters; '' when absent. */
export const mediaTypeOf = (header: string | string[] | undefined): string =>
  (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim().toLowerCase() ?? '';

const hasBody = (request: HttpRequest): boolean =>
  request.headers['transfer-encoding'] !== undefined ||
  Number(request.headers['content-length'] ?? 0) > 0;

const accepts = (types: readonly string[], type: string): boolean =>
  types.includes(type) ||
  (types.includes(JSON_MEDIA_TYPE) && /^application\/[a-z0-9.+-]+\+json$/.test(type));

/**
 * Global guard, after authentication: a request body whose Content-Type the route does not read
 * (text/plain, a form, none at all where JSON is expected) is refused as 415 with the types it
 * does read, instead of reaching the route as an empty object and failing there for a reason the
 * client cannot see.
 */
@Injectable()
export class RequestBodyTypeGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    if (!hasBody(request)) return true;
    const types = this.reflector.getAllAndOverride<string[] | undefined>(BODY_MEDIA_TYPES, [
      context.getHandler(),
      context.getClass(),
    ]) ?? [JSON_MEDIA_TYPE];
    const type = mediaTypeOf(request.headers['content-type']);
    if (accepts(types, type)) return true;
    const route = `${request.method ?? ''} ${(request.url ?? '').split('?')[0] ?? ''}`;
    throw new UnsupportedMediaTypeException(
      `${type ? `Content-Type ${type}` : 'a body without a Content-Type'} is not accepted by ${route}; send ${types.join(' or ')}`,
    );
  }
}
