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
 * Job definitions (issue 12 item 1): applying manifests, rolling back and deprecating jobs, and
 * approving production changes are separate; the domain refuses an author's own approval
 * whatever their roles (rule `job-change-four-eyes`).
 */
export type SchedulingJobPermission = 'scheduling:jobs:write' | 'scheduling:jobs:approve';

/** Compliance's finer permissions: authoring policies, approving them (four-eyes), evaluating. */
export type CompliancePermission =
  'compliance:policy:write' | 'compliance:policy:approve' | 'compliance:evaluate';
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
  auditor: [...read, 'audit:read'],
  'compliance-officer': [
    ...read,
    'audit:read',
    'compliance:write',
    'compliance:approve',
    'scheduling:override:review',
    ...compliancePolicy,
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
    'scheduling:jobs:write',
    'scheduling:jobs:approve',
    ...compliancePolicy,
  ],
};

export const ROLES = Object.keys(ROLE_PERMISSIONS);

export function permissionsOf(roles: readonly string[]): ReadonlySet<Permission> {
  return new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role] ?? []));
}
