import { ValidationError } from '@trainyard/kernel';

/** A role as access administration defines it; the same shape every service's guard reads. */
export interface AccessRole {
  readonly name: string;
  readonly description: string;
  /** Changing it, or granting it, needs a second person's approval. */
  readonly privileged: boolean;
  /** `<context>:<action>[:<sub>]`, sorted, distinct. */
  readonly permissions: readonly string[];
}

export const ACCESS_ROLE_NAME = /^[a-z][a-z0-9-]{0,63}$/;
export const ACCESS_PERMISSION = /^[a-z][a-z0-9-]{0,31}(:[a-z][a-z0-9-]{0,31}){1,3}$/;
/** A token's `sub`: printable, no white space at the ends. */
export const ACCESS_SUBJECT = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;
export const ACCESS_CHANGE_ID = /^[A-Za-z0-9-]{1,64}$/;
export const MAX_ROLE_PERMISSIONS = 200;
const MAX_DESCRIPTION = 500;

export const assertRoleName = (value: unknown, field = 'role.name'): string => {
  if (typeof value !== 'string' || !ACCESS_ROLE_NAME.test(value))
    throw new ValidationError(
      field,
      `${field} must be 1-64 lower-case letters, digits or hyphens, starting with a letter (e.g. release-manager).`,
    );
  return value;
};

export const assertAccessSubject = (value: unknown, field = 'subject'): string => {
  if (typeof value !== 'string' || !ACCESS_SUBJECT.test(value))
    throw new ValidationError(
      field,
      `${field} must be the principal's token subject: 1-256 printable ASCII characters.`,
    );
  return value;
};

export const assertChangeId = (value: unknown, field = 'changeId'): string => {
  if (typeof value !== 'string' || !ACCESS_CHANGE_ID.test(value))
    throw new ValidationError(
      field,
      `${field} must be a change id (1-64 letters, digits, hyphens).`,
    );
  return value;
};

/** The role as it will be stored: permissions distinct and sorted, every field checked. */
export const normaliseRole = (role: unknown): AccessRole => {
  if (role === null || typeof role !== 'object' || Array.isArray(role))
    throw new ValidationError(
      'role',
      'role must be an object with name, description, privileged and permissions.',
    );
  const r = role as Record<string, unknown>;
  const name = assertRoleName(r.name);
  const description = r.description ?? '';
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION)
    throw new ValidationError(
      'role.description',
      `role.description must be text of at most ${MAX_DESCRIPTION} characters.`,
    );
  if (typeof r.privileged !== 'boolean')
    throw new ValidationError('role.privileged', 'role.privileged must be true or false.');
  if (!Array.isArray(r.permissions))
    throw new ValidationError(
      'role.permissions',
      'role.permissions must be a list of permissions.',
    );
  if (r.permissions.length > MAX_ROLE_PERMISSIONS)
    throw new ValidationError(
      'role.permissions',
      `role.permissions may hold at most ${MAX_ROLE_PERMISSIONS} permissions.`,
    );
  r.permissions.forEach((p: unknown, i) => {
    if (typeof p !== 'string' || !ACCESS_PERMISSION.test(p))
      throw new ValidationError(
        `role.permissions[${i}]`,
        `role.permissions[${i}] must be <context>:<action>[:<sub>], such as planning:read or compliance:policy:approve.`,
      );
  });
  return {
    name,
    description,
    privileged: r.privileged,
    permissions: [...new Set(r.permissions as string[])].sort(),
  };
};

export const sameRole = (a: AccessRole, b: AccessRole): boolean =>
  a.name === b.name &&
  a.description === b.description &&
  a.privileged === b.privileged &&
  a.permissions.length === b.permissions.length &&
  a.permissions.every((p, i) => p === b.permissions[i]);
