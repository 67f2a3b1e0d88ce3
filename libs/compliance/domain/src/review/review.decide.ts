import {
  assertIsoInstant,
  assertMetadata,
  assertNonEmpty,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import type {
  CheckDeploymentAllowed,
  CloseRetrospectiveReview,
  MarkRetrospectiveReviewOverdue,
  OpenChangeReview,
  OpenRetrospectiveReview,
  ReviewCommand,
  SignOffChange,
} from './review.commands';
import type { ReviewEvent } from './review.events';
import type { Review } from './review.state';
import { assertSignOffPolicy, isRegulatedDataClass, requirementFor } from './sign-off-policy';

/** Rule ids of the review aggregate: stable API. */
export const REVIEW_AUTHOR_CANNOT_SIGN_RULE = 'review-author-cannot-sign';
export const REVIEW_ROLE_NOT_ALLOWED_RULE = 'review-role-not-allowed';
export const REVIEW_ALREADY_APPROVED_RULE = 'review-already-approved';
export const REVIEW_NOT_APPROVED_RULE = 'review-not-approved';
export const SOD_APPROVER_CANNOT_DEPLOY_RULE = 'sod-approver-cannot-deploy';
export const RETROSPECTIVE_CLOSED_RULE = 'retrospective-review-closed';

export const WORKLOAD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_FINDINGS = 4000;
const MAX_TEXT = 200;

export const assertReviewWorkloadId = (value: unknown): string => {
  const id = assertNonEmpty('workloadId', value);
  if (!WORKLOAD_ID_PATTERN.test(id))
    throw new ValidationError(
      'workloadId',
      'workloadId must be 1 to 64 letters, digits, ., _, : or -, starting with a letter or digit.',
    );
  return id;
};

const assertText = (field: string, value: unknown, max = MAX_TEXT): string => {
  const text = assertNonEmpty(field, value);
  if (text.length > max)
    throw new ValidationError(field, `${field} must be at most ${max} characters long.`);
  return text;
};

const openChange = (command: OpenChangeReview, state: Review): ReviewEvent[] => {
  const d = command.data;
  const workloadId = assertReviewWorkloadId(d.workloadId);
  const author = assertText('author', d.author);
  if (!Array.isArray(d.dataClasses) || !d.dataClasses.every(isRegulatedDataClass))
    throw new ValidationError('dataClasses', 'dataClasses must hold pii, financial or health.');
  const policy = assertSignOffPolicy(d.policy);
  if (state.change) return []; // Opened once: a redelivery changes nothing.
  const requirement = requirementFor(policy, d.dataClasses);
  if (!requirement) return []; // Not regulated: nothing to review.
  return [
    {
      type: 'ChangeReviewOpened',
      data: {
        workloadId,
        title: typeof d.title === 'string' ? d.title.slice(0, 500) : workloadId,
        author,
        dataClasses: [...new Set(d.dataClasses)].sort(),
        policyVersion: policy.version,
        requiredSignOffs: requirement.signOffs,
        allowedRoles: requirement.roles,
        openedAt: command.metadata.now,
      },
    },
  ];
};

const signOff = (command: SignOffChange, state: Review): ReviewEvent[] => {
  const workloadId = assertReviewWorkloadId(command.data.workloadId);
  const role = assertText('role', command.data.role, 64);
  const change = state.change;
  if (!change) throw new NotFoundError('change review', workloadId);
  const signer = command.metadata.actor;
  if (change.signOffs.some((s) => s.signer === signer)) return []; // Twice by one person: no-op.
  if (signer === change.author)
    throw new RuleViolation(
      REVIEW_AUTHOR_CANNOT_SIGN_RULE,
      `${signer} registered workload ${workloadId} and cannot sign off its own change.`,
    );
  if (!change.allowedRoles.includes(role))
    throw new RuleViolation(
      REVIEW_ROLE_NOT_ALLOWED_RULE,
      `The role ${role} may not sign off workload ${workloadId}; allowed: ${change.allowedRoles.join(', ')}.`,
    );
  if (change.status === 'Approved')
    throw new RuleViolation(
      REVIEW_ALREADY_APPROVED_RULE,
      `The change review of workload ${workloadId} is already approved.`,
    );
  const count = change.signOffs.length + 1;
  const events: ReviewEvent[] = [
    {
      type: 'ChangeSignedOff',
      data: {
        workloadId,
        signer,
        role,
        signedAt: command.metadata.now,
        signOffs: count,
        requiredSignOffs: change.requiredSignOffs,
      },
    },
  ];
  if (count >= change.requiredSignOffs)
    events.push({
      type: 'ChangeReviewApproved',
      data: {
        workloadId,
        signers: [...change.signOffs.map((s) => s.signer), signer],
        approvedAt: command.metadata.now,
      },
    });
  return events;
};

const checkDeployment = (command: CheckDeploymentAllowed, state: Review): ReviewEvent[] => {
  const workloadId = assertReviewWorkloadId(command.data.workloadId);
  const deployer = assertText('deployer', command.data.deployer);
  const decidedAt = command.metadata.now;
  const refuse = (rule: string, reason: string): ReviewEvent[] => [
    { type: 'DeploymentRefused', data: { workloadId, deployer, rule, reason, decidedAt } },
  ];
  const change = state.change;
  if (change) {
    if (change.signOffs.some((s) => s.signer === deployer))
      return refuse(
        SOD_APPROVER_CANNOT_DEPLOY_RULE,
        `${deployer} signed off workload ${workloadId} and may not also deploy it.`,
      );
    if (change.status !== 'Approved')
      return refuse(
        REVIEW_NOT_APPROVED_RULE,
        `Workload ${workloadId} has ${change.signOffs.length} of ${change.requiredSignOffs} sign-offs; it cannot be deployed yet.`,
      );
  }
  return [{ type: 'DeploymentAuthorised', data: { workloadId, deployer, decidedAt } }];
};

const addHours = (instant: string, hours: number): string =>
  new Date(Date.parse(instant) + hours * 3_600_000).toISOString();

const openRetrospective = (command: OpenRetrospectiveReview, state: Review): ReviewEvent[] => {
  const d = command.data;
  const workloadId = assertReviewWorkloadId(d.workloadId);
  const releaseId = assertText('releaseId', d.releaseId, 64);
  const requestedBy = assertText('requestedBy', d.requestedBy);
  const scheduledAt = assertIsoInstant('scheduledAt', d.scheduledAt);
  const policy = assertSignOffPolicy(d.policy);
  if (state.retrospective) return [];
  return [
    {
      type: 'RetrospectiveReviewOpened',
      data: {
        workloadId,
        releaseId,
        requestedBy,
        policyVersion: policy.version,
        openedAt: command.metadata.now,
        dueAt: addHours(scheduledAt, policy.retrospectiveDueHours),
      },
    },
  ];
};

const closeRetrospective = (command: CloseRetrospectiveReview, state: Review): ReviewEvent[] => {
  const workloadId = assertReviewWorkloadId(command.data.workloadId);
  const findings = assertText('findings', command.data.findings, MAX_FINDINGS);
  const retro = state.retrospective;
  if (!retro) throw new NotFoundError('retrospective review', workloadId);
  if (retro.status === 'Closed') {
    if (retro.findings === findings) return [];
    throw new RuleViolation(
      RETROSPECTIVE_CLOSED_RULE,
      `The retrospective review of workload ${workloadId} is already closed.`,
    );
  }
  return [
    {
      type: 'RetrospectiveReviewClosed',
      data: {
        workloadId,
        releaseId: retro.releaseId,
        findings,
        closedBy: command.metadata.actor,
        closedAt: command.metadata.now,
        late: Date.parse(command.metadata.now) > Date.parse(retro.dueAt),
      },
    },
  ];
};

const markOverdue = (command: MarkRetrospectiveReviewOverdue, state: Review): ReviewEvent[] => {
  const workloadId = assertReviewWorkloadId(command.data.workloadId);
  const retro = state.retrospective;
  if (!retro || retro.status !== 'Open') return [];
  if (Date.parse(command.metadata.now) <= Date.parse(retro.dueAt)) return [];
  return [
    {
      type: 'RetrospectiveReviewOverdue',
      data: {
        workloadId,
        releaseId: retro.releaseId,
        dueAt: retro.dueAt,
        detectedAt: command.metadata.now,
      },
    },
  ];
};

export const decideReview = (command: ReviewCommand, state: Review): ReviewEvent[] => {
  assertMetadata(command.metadata);
  switch (command.type) {
    case 'OpenChangeReview':
      return openChange(command, state);
    case 'SignOffChange':
      return signOff(command, state);
    case 'CheckDeploymentAllowed':
      return checkDeployment(command, state);
    case 'OpenRetrospectiveReview':
      return openRetrospective(command, state);
    case 'CloseRetrospectiveReview':
      return closeRetrospective(command, state);
    case 'MarkRetrospectiveReviewOverdue':
      return markOverdue(command, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
};
