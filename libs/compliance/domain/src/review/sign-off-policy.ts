import { ValidationError } from '@trainyard/kernel';

/** The data classes whose changes need sign-offs (planning's `regulatedData`). */
export const REGULATED_DATA_CLASSES = ['pii', 'financial', 'health'] as const;
export type RegulatedDataClass = (typeof REGULATED_DATA_CLASSES)[number];

export interface SignOffRequirement {
  /** Distinct non-author sign-offs needed. */
  readonly signOffs: number;
  /** The roles a signer may sign in. */
  readonly roles: readonly string[];
}

/** Versioned data: which classes are regulated, who signs, when an emergency must be reviewed. */
export interface SignOffPolicy {
  readonly version: string;
  readonly classes: Readonly<Record<RegulatedDataClass, SignOffRequirement>>;
  /** Hours after an emergency patch was scheduled by which its retrospective review is due. */
  readonly retrospectiveDueHours: number;
}

export const DEFAULT_SIGN_OFF_POLICY: SignOffPolicy = {
  version: '1.0.0',
  classes: {
    pii: { signOffs: 2, roles: ['approver', 'compliance-officer'] },
    financial: { signOffs: 2, roles: ['approver', 'compliance-officer'] },
    health: { signOffs: 2, roles: ['approver', 'compliance-officer'] },
  },
  retrospectiveDueHours: 48,
};

export const isRegulatedDataClass = (value: unknown): value is RegulatedDataClass =>
  typeof value === 'string' && (REGULATED_DATA_CLASSES as readonly string[]).includes(value);

/**
 * What a change touching `dataClasses` needs: the largest number of sign-offs any class asks for,
 * in a role every class allows (or, when no role is common to them all, any role one of them allows).
 * Undefined when none of the classes is regulated.
 */
export const requirementFor = (
  policy: SignOffPolicy,
  dataClasses: readonly RegulatedDataClass[],
): SignOffRequirement | undefined => {
  const reqs = [...new Set(dataClasses)].map((c) => policy.classes[c]);
  const signOffs = Math.max(...reqs.map((r) => r.signOffs));
  const [first] = reqs;
  if (!first) return undefined;
  const common = first.roles.filter((role) => reqs.every((r) => r.roles.includes(role)));
  const roles = common.length > 0 ? common : [...new Set(reqs.flatMap((r) => r.roles))];
  return { signOffs, roles: [...roles].sort() };
};

/** A policy must ask for at least one sign-off per class, in at least one role. */
export const assertSignOffPolicy = (policy: SignOffPolicy): SignOffPolicy => {
  for (const c of REGULATED_DATA_CLASSES) {
    const r = policy.classes[c];
    if (!r || !Number.isInteger(r.signOffs) || r.signOffs < 1 || r.signOffs > 10)
      throw new ValidationError(
        `classes.${c}.signOffs`,
        `classes.${c}.signOffs must be a whole number from 1 to 10.`,
      );
    if (!Array.isArray(r.roles) || r.roles.length === 0)
      throw new ValidationError(`classes.${c}.roles`, `classes.${c}.roles must name a role.`);
  }
  if (
    !Number.isFinite(policy.retrospectiveDueHours) ||
    policy.retrospectiveDueHours <= 0 ||
    policy.retrospectiveDueHours > 24 * 30
  )
    throw new ValidationError(
      'retrospectiveDueHours',
      'retrospectiveDueHours must be more than 0 and at most 720.',
    );
  return policy;
};
