import type { Permission } from '../auth/permissions';
import { ROLE_PERMISSIONS } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import type { AccessModel } from './access-model';

/** Where a guard's answer came from: the built-in mapping, or a model compliance published. */
export type AccessSource = 'built-in' | 'model';

/**
 * What the guard authorises by. Until a model was ever received (from the topic, or from this
 * service's own copy of the last one), the built-in ROLE_PERMISSIONS apply unchanged. Once one
 * is known: a subject's roles are its token's roles plus the roles the model grants it; a role
 * the model defines has exactly the model's permissions; any other role keeps its built-in ones.
 */
export class AccessAuthority {
  private model?: AccessModel;
  private roles = new Map<string, ReadonlySet<string>>();
  private grants = new Map<string, readonly string[]>();

  get current(): AccessModel | undefined {
    return this.model;
  }

  get source(): AccessSource {
    return this.model ? 'model' : 'built-in';
  }

  /** Takes `model` when it is newer than the one held (same or older versions are ignored). */
  accept(model: AccessModel): boolean {
    if (this.model && model.version <= this.model.version) return false;
    this.model = model;
    this.roles = new Map(model.roles.map((r) => [r.name, new Set(r.permissions)]));
    this.grants = new Map(model.grants.map((g) => [g.subject, g.roles]));
    return true;
  }

  /** The principal with its roles and permissions as the current model says. */
  resolve(principal: Principal): Principal {
    if (!this.model) return principal;
    const granted = this.grants.get(principal.subject) ?? [];
    const roles = [...new Set([...principal.roles, ...granted])];
    const permissions = new Set<Permission>();
    for (const role of roles) {
      const defined = this.roles.get(role);
      for (const p of defined ??
        (Object.hasOwn(ROLE_PERMISSIONS, role) ? ROLE_PERMISSIONS[role] : undefined) ??
        [])
        permissions.add(p as Permission);
    }
    return { subject: principal.subject, roles, permissions };
  }
}
