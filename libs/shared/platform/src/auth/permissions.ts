import type { ServiceName } from '../config/service-config';

/**
 * Permissions are `<context>:<action>`. Roles are what an identity provider puts in the token's
 * `roles` claim; each maps to a fixed set of permissions here, and each gRPC method or HTTP route
 * names the one permission it needs (deny by default). See docs/adr/0002-auth.md.
 */
export type Permission =
  | `${ServiceName | 'audit'}:${'read' | 'write' | 'approve'}`
  // Owning the scheduling calendar (windows, freezes, holidays, components): narrower than
  // scheduling:write, which engineers hold to request deployments.
  | 'scheduling:calendar:write'
  | SchedulingOverridePermission
  | SchedulingRunPermission
  | SchedulingSecretsPermission
  | SchedulingJobPermission
  | CompliancePermission;

/**
 * Freeze overrides (issue 11 item 3) are granted by people apart from those who ask: requesting,
 * approving and reviewing are separate permissions. No role bypasses a freeze; the domain refuses
 * a requester's own approval whatever their roles, admins included.
 */
export type SchedulingOverridePermission =
  'scheduling:override:request' | 'scheduling:override:approve' | 'scheduling:override:review';

/**
 * Batch-job runs (issue 12): triggering and cancelling runs is an operator's act, apart from
 * writing manifests (scheduling:jobs:write); reading runs is scheduling:read.
 */
export type SchedulingRunPermission = 'scheduling:runs:operate';

/**
 * The job executors' secrets (issue 12 item 2): held by operators (and admins) only, not by the
 * engineers who write manifests that reference them by name. No permission reads a value.
 */
export type SchedulingSecretsPermission = 'scheduling:secrets:read' | 'scheduling:secrets:write';

/**
 * Job definitions (issue 12 item 1): applying manifests, rolling back and deprecating jobs, and
 * approving production changes are separate; the domain refuses an author's own approval
 * whatever their roles (rule `job-change-four-eyes`).
 */
export type SchedulingJobPermission = 'scheduling:jobs:write' | 'scheduling:jobs:approve';

/** Compliance's finer permissions: authoring policies, approving them (four-eyes), evaluating. */
export type CompliancePermission =
  | 'compliance:policy:write'
  | 'compliance:policy:approve'
  | 'compliance:evaluate'
  | AccessAdministrationPermission
  | 'compliance:sample:write'
  | 'compliance:evidence:export';

/**
 * Administering the access model (issue 13 item 8): reading it, changing it, and approving
 * changes to privileged roles (four-eyes: never one's own change).
 */
export type AccessAdministrationPermission =
  'compliance:access:read' | 'compliance:access:write' | 'compliance:access:approve';
const compliancePolicy: CompliancePermission[] = [
  'compliance:policy:write',
  'compliance:policy:approve',
  'compliance:evaluate',
];

const read: Permission[] = [
  'planning:read',
  'scheduling:read',
  'deployment:read',
  'compliance:read',
  'metrics:read',
];

export const ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  viewer: read,
  'release-manager': [
    ...read,
    'planning:write',
    'scheduling:write',
    'scheduling:calendar:write',
    'deployment:write',
    'scheduling:override:request',
    'scheduling:override:review',
    'scheduling:runs:operate',
    'scheduling:jobs:write',
    'scheduling:jobs:approve',
  ],
  engineer: [
    ...read,
    'deployment:write',
    'scheduling:write',
    'scheduling:override:request',
    'scheduling:jobs:write',
  ],
  approver: [
    ...read,
    'planning:approve',
    'compliance:approve',
    'deployment:approve',
    'scheduling:override:approve',
    'scheduling:override:review',
    'scheduling:jobs:approve',
  ],
  auditor: [...read, 'audit:read', 'compliance:access:read', 'compliance:evidence:export'],
  'security-admin': [
    'compliance:read',
    'compliance:access:read',
    'compliance:access:write',
    'compliance:access:approve',
  ],
  // Runs the platform: the job executors' secrets (issue 12 item 2).
  operator: [
    ...read,
    'scheduling:secrets:read',
    'scheduling:secrets:write',
    // Triggers and cancels batch-job runs (issue 12).
    'scheduling:runs:operate',
  ],
  'compliance-officer': [
    ...read,
    'audit:read',
    'compliance:write',
    'compliance:approve',
    'scheduling:override:review',
    ...compliancePolicy,
    'compliance:access:read',
    'compliance:sample:write',
    'compliance:evidence:export',
  ],
  service: [
    ...read,
    'planning:write',
    'scheduling:write',
    'scheduling:calendar:write',
    'deployment:write',
    'compliance:write',
    'compliance:evaluate',
    'metrics:write',
    'scheduling:runs:operate',
    'scheduling:jobs:write',
  ],
  admin: [
    ...read,
    'audit:read',
    ...(['planning', 'scheduling', 'deployment', 'compliance', 'metrics'] as const).flatMap(
      (s): Permission[] => [`${s}:write`, `${s}:approve`],
    ),
    'scheduling:calendar:write',
    'scheduling:override:request',
    'scheduling:override:approve',
    'scheduling:override:review',
    'scheduling:runs:operate',
    'scheduling:secrets:read',
    'scheduling:secrets:write',
    'scheduling:jobs:write',
    'scheduling:jobs:approve',
    ...compliancePolicy,
  ],
};

export const ROLES = Object.keys(ROLE_PERMISSIONS);

/**
 * Built-in roles whose change, or grant, needs a second person's approval in compliance's access
 * administration: they approve, administer, or act as a service.
 */
export const PRIVILEGED_BUILT_IN_ROLES: readonly string[] = [
  'admin',
  'approver',
  'compliance-officer',
  'security-admin',
  'service',
];

/** The built-in role mapping as access administration shows and overlays it. */
export function builtInRoles(): readonly {
  readonly name: string;
  readonly description: string;
  readonly privileged: boolean;
  readonly permissions: readonly string[];
}[] {
  return Object.entries(ROLE_PERMISSIONS).map(([name, permissions]) => ({
    name,
    description: `built-in role ${name}`,
    privileged: PRIVILEGED_BUILT_IN_ROLES.includes(name),
    permissions: [...new Set(permissions)].sort(),
  }));
}

export function permissionsOf(roles: readonly string[]): ReadonlySet<Permission> {
  return new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role] ?? []));
}
