import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { status, type Metadata } from '@grpc/grpc-js';
import { PUBLIC_ROUTE, REQUIRED_PERMISSION } from './auth.decorators';
import { AccessAuthority } from '../access/access-authority';
import type { Permission } from './permissions';
import type { Principal } from './principal';
import { AuthenticationError, TokenVerifier } from './token-verifier';

export const PRINCIPAL = Symbol('trainyard.principal');

/**
 * Global guard: deny by default. Every handler must be @Public or name a permission; the caller's
 * bearer token (HTTP `Authorization` header or gRPC `authorization` metadata) must verify and its
 * roles must grant that permission. Answers 401/403 over HTTP and UNAUTHENTICATED/PERMISSION_DENIED over gRPC.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(AccessAuthority) private readonly access: AccessAuthority,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(
      REQUIRED_PERMISSION,
      targets,
    );
    const rpc = context.getType() === 'rpc';
    const fail = (code: 'unauthenticated' | 'denied', message: string): never => {
      if (rpc)
        throw new RpcException({
          code: code === 'unauthenticated' ? status.UNAUTHENTICATED : status.PERMISSION_DENIED,
          message,
        });
      throw code === 'unauthenticated'
        ? new UnauthorizedException(message)
        : new ForbiddenException(message);
    };
    let principal: Principal;
    try {
      // Roles from the token, permissions from the access model compliance publishes (or the
      // built-in mapping until one was ever received): access/access-authority.ts.
      principal = this.access.resolve(await this.verifier.verify(this.authorizationOf(context)));
    } catch (error) {
      if (error instanceof AuthenticationError) return fail('unauthenticated', error.message);
      throw error;
    }
    if (!permission) return fail('denied', 'this operation has no permission configured');
    if (!principal.permissions.has(permission)) {
      return fail(
        'denied',
        `permission ${permission} required; roles [${principal.roles.join(', ')}] do not grant it`,
      );
    }
    this.attach(context, principal);
    return true;
  }

  private authorizationOf(context: ExecutionContext): string | undefined {
    if (context.getType() === 'rpc') {
      const metadata = context.switchToRpc().getContext<Metadata>();
      const value = metadata.get('authorization')[0];
      return typeof value === 'string' ? value : value?.toString();
    }
    return context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
      .headers.authorization;
  }

  private attach(context: ExecutionContext, principal: Principal): void {
    const carrier =
      context.getType() === 'rpc'
        ? context.switchToRpc().getContext<object>()
        : context.switchToHttp().getRequest<object>();
    (carrier as Record<symbol, Principal>)[PRINCIPAL] = principal;
  }
}

/** The principal the guard attached to a gRPC call's metadata or an HTTP request. */
export function principalOf(carrier: object): Principal {
  const principal = (carrier as Record<symbol, Principal | undefined>)[PRINCIPAL];
  if (!principal) throw new Error('no authenticated principal on this call');
  return principal;
}
