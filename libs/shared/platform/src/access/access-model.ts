// The access model compliance administers (issue 13 item 8) as every service's guard reads it:
// the roles an administrator defined or changed (full definitions), and the roles granted to
// subjects on top of what their token says. Roles not in the model keep their built-in meaning
// (ROLE_PERMISSIONS), so a service built with a newer role mapping is not narrowed by a model
// published before it (docs/readme-fragments/comp-access.md).

/** Compacted topic: key ACCESS_MODEL_KEY, value the whole model (CloudEvents binary mode). */
export const ACCESS_MODEL_TOPIC = 'trainyard.access.model.v1';
/** The one key of the topic: compaction keeps exactly the newest model. */
export const ACCESS_MODEL_KEY = 'model';
/** CloudEvents `type` of a published model. */
export const ACCESS_MODEL_EVENT_TYPE = 'AccessModelPublished';
export const ACCESS_MODEL_SCHEMA_VERSION = 1;

export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
/** `<context>:<action>[:<sub>…]`, as RequirePermission names them (auth/permissions.ts). */
export const PERMISSION_PATTERN = /^[a-z][a-z0-9-]{0,31}(:[a-z][a-z0-9-]{0,31}){1,3}$/;
export const MAX_PERMISSIONS_PER_ROLE = 200;

export interface AccessModelRole {
  readonly name: string;
  readonly description: string;
  /** Changes to it, and grants of it, need a second person's approval. */
  readonly privileged: boolean;
  readonly permissions: readonly string[];
}

export interface AccessModelGrant {
  readonly subject: string;
  readonly roles: readonly string[];
}

export interface AccessModel {
  readonly modelId: string;
  /** Increases with every applied change; a guard never goes back to a lower one. */
  readonly version: number;
  readonly roles: readonly AccessModelRole[];
  readonly grants: readonly AccessModelGrant[];
  readonly publishedAt: string;
}

export class InvalidAccessModelError extends Error {
  override readonly name = 'InvalidAccessModelError';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const stringList = (value: unknown, at: string): string[] => {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new InvalidAccessModelError(`${at} must be a list of strings`);
  return value as string[];
};

/**
 * The model in a message, checked field by field: a guard must never authorise by a value it
 * half understood, so anything unexpected refuses the whole model (the last good one stays).
 */
export function parseAccessModel(value: unknown): AccessModel {
  if (!isRecord(value)) throw new InvalidAccessModelError('the model must be an object');
  const { modelId, version, roles, grants, publishedAt } = value;
  if (typeof modelId !== 'string' || modelId === '')
    throw new InvalidAccessModelError('modelId must be a non-empty string');
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    throw new InvalidAccessModelError('version must be a whole number >= 0');
  if (typeof publishedAt !== 'string' || Number.isNaN(Date.parse(publishedAt)))
    throw new InvalidAccessModelError('publishedAt must be an ISO-8601 instant');
  if (!Array.isArray(roles)) throw new InvalidAccessModelError('roles must be a list');
  if (!Array.isArray(grants)) throw new InvalidAccessModelError('grants must be a list');
  const parsedRoles = roles.map((role: unknown, i): AccessModelRole => {
    const at = `roles[${i}]`;
    if (!isRecord(role)) throw new InvalidAccessModelError(`${at} must be an object`);
    if (typeof role.name !== 'string' || !ROLE_NAME_PATTERN.test(role.name))
      throw new InvalidAccessModelError(`${at}.name must be a role name`);
    if (typeof role.privileged !== 'boolean')
      throw new InvalidAccessModelError(`${at}.privileged must be a boolean`);
    const permissions = stringList(role.permissions, `${at}.permissions`);
    const bad = permissions.find((p) => !PERMISSION_PATTERN.test(p));
    if (bad !== undefined)
      throw new InvalidAccessModelError(`${at}.permissions holds a malformed permission`);
    return {
      name: role.name,
      description: typeof role.description === 'string' ? role.description : '',
      privileged: role.privileged,
      permissions,
    };
  });
  const parsedGrants = grants.map((grant: unknown, i): AccessModelGrant => {
    const at = `grants[${i}]`;
    if (!isRecord(grant)) throw new InvalidAccessModelError(`${at} must be an object`);
    if (typeof grant.subject !== 'string' || grant.subject === '')
      throw new InvalidAccessModelError(`${at}.subject must be a non-empty string`);
    return { subject: grant.subject, roles: stringList(grant.roles, `${at}.roles`) };
  });
  return { modelId, version, roles: parsedRoles, grants: parsedGrants, publishedAt };
}
