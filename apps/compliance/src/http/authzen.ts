import { ValidationError } from '@trainyard/kernel';
import type { Facts } from '@trainyard/compliance-domain';

/** OpenID AuthZEN Authorization API 1.0: the four parts of an access request. */
export interface AccessRequest {
  readonly subject: { readonly type: string; readonly id: string; readonly properties?: Facts };
  readonly action: { readonly name: string; readonly properties?: Facts };
  readonly resource: { readonly type: string; readonly id: string; readonly properties?: Facts };
  readonly context?: Facts;
}

export const EVALUATIONS_SEMANTICS = [
  'execute_all',
  'deny_on_first_deny',
  'permit_on_first_permit',
] as const;
export type EvaluationsSemantic = (typeof EVALUATIONS_SEMANTICS)[number];
export const MAX_BATCH = 100;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const text = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(field, `${field} is required.`);
  if (value.length > 100)
    throw new ValidationError(field, `${field} must be at most 100 characters long.`);
  return value;
};

const optionalObject = (field: string, value: unknown): Facts | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new ValidationError(field, `${field} must be a JSON object.`);
  return value as Facts;
};

const part = (field: string, value: unknown): Record<string, unknown> => {
  if (!isObject(value))
    throw new ValidationError(field, `${field} is required and must be a JSON object.`);
  return value;
};

/** Checks one (merged) access request, naming the first field in error (`evaluations[2].action.name`). */
export const accessRequestOf = (
  value: Partial<Record<keyof AccessRequest, unknown>>,
  prefix = '',
): AccessRequest => {
  const subject = part(`${prefix}subject`, value.subject);
  const action = part(`${prefix}action`, value.action);
  const resource = part(`${prefix}resource`, value.resource);
  const subjectProperties = optionalObject(`${prefix}subject.properties`, subject.properties);
  const actionProperties = optionalObject(`${prefix}action.properties`, action.properties);
  const resourceProperties = optionalObject(`${prefix}resource.properties`, resource.properties);
  const context = optionalObject(`${prefix}context`, value.context);
  return {
    subject: {
      type: text(`${prefix}subject.type`, subject.type),
      id: text(`${prefix}subject.id`, subject.id),
      ...(subjectProperties ? { properties: subjectProperties } : {}),
    },
    action: {
      name: text(`${prefix}action.name`, action.name),
      ...(actionProperties ? { properties: actionProperties } : {}),
    },
    resource: {
      type: text(`${prefix}resource.type`, resource.type),
      id: text(`${prefix}resource.id`, resource.id),
      ...(resourceProperties ? { properties: resourceProperties } : {}),
    },
    ...(context ? { context } : {}),
  };
};

export interface BatchRequest {
  readonly requests: readonly AccessRequest[];
  readonly semantic: EvaluationsSemantic;
  /** No `evaluations` array: answered as a single evaluation (AuthZEN §7). */
  readonly single: boolean;
}

/** The batch body: top-level subject/action/resource/context are defaults each entry may replace. */
export const batchRequestOf = (body: unknown): BatchRequest => {
  if (!isObject(body)) throw new ValidationError('body', 'The request body must be a JSON object.');
  const options = optionalObject('options', body.options);
  const semanticValue = options?.evaluations_semantic ?? 'execute_all';
  if (!(EVALUATIONS_SEMANTICS as readonly unknown[]).includes(semanticValue))
    throw new ValidationError(
      'options.evaluations_semantic',
      `options.evaluations_semantic must be one of ${EVALUATIONS_SEMANTICS.join(', ')}.`,
    );
  const semantic = semanticValue as EvaluationsSemantic;
  if (
    body.evaluations === undefined ||
    (Array.isArray(body.evaluations) && body.evaluations.length === 0)
  )
    return { requests: [accessRequestOf(body)], semantic, single: true };
  if (!Array.isArray(body.evaluations))
    throw new ValidationError('evaluations', 'evaluations must be an array of access requests.');
  const items: unknown[] = body.evaluations;
  if (items.length > MAX_BATCH)
    throw new ValidationError('evaluations', `evaluations may hold at most ${MAX_BATCH} requests.`);
  const requests = items.map((item, i) => {
    if (!isObject(item))
      throw new ValidationError(`evaluations[${i}]`, `evaluations[${i}] must be a JSON object.`);
    return accessRequestOf(
      {
        subject: item.subject ?? body.subject,
        action: item.action ?? body.action,
        resource: item.resource ?? body.resource,
        context: item.context ?? body.context,
      },
      `evaluations[${i}].`,
    );
  });
  return { requests, semantic, single: false };
};
