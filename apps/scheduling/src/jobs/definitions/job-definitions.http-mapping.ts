// The REST edge of job definitions, apart from the routes: query and body fields checked (400
// naming the field), the manifest read from the body, and the use cases' answers mapped to the
// DTOs (job-definitions.http-dto.ts) the controller documents.
import type { IncomingMessage } from 'node:http';
import { ValidationError } from '@trainyard/kernel';
import type { JobDefinitionEvent } from '@trainyard/scheduling-domain';
import type { JobManifestVersionRow } from '@trainyard/scheduling-read-models';
import type { JobQueryFieldNames } from './job-definition.queries';
import type { ApplyOutcome, ManifestDiff } from './job-definition.use-cases';
import { MAX_MANIFEST_BYTES } from './job-manifest-text';

export type QueryValue = string | string[] | undefined;
export type HttpRequest = IncomingMessage & { body?: unknown };

export const HTTP_FIELDS: JobQueryFieldNames & { status: string; owner: string } = {
  page: 'page',
  pageSize: 'pageSize',
  status: 'status',
  owner: 'owner',
};

export const single = (field: string, value: QueryValue): string | undefined => {
  if (Array.isArray(value)) throw new ValidationError(field, `${field} must be given once.`);
  return value === '' ? undefined : value;
};

export const intParam = (field: string, value: QueryValue): number | undefined => {
  const text = single(field, value);
  if (text === undefined) return undefined;
  if (!/^\d{1,7}$/.test(text))
    throw new ValidationError(field, `${field} must be a whole number; got ${text.slice(0, 20)}.`);
  return Number(text);
};

export const objectBody = (body: unknown): Record<string, unknown> => {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('body', 'body must be a JSON object.');
  return body as Record<string, unknown>;
};

export const textField = (
  body: Record<string, unknown>,
  field: string,
  required: boolean,
): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw new ValidationError(field, `${field} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string.`);
  return value;
};

export const MANIFEST_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/plain',
  'application/json',
];

export const versionView = ({ jobVersion, ...row }: JobManifestVersionRow) => ({
  ...row,
  version: jobVersion,
});

/** The body as manifest text: raw YAML read here (bounded), JSON as the body parser read it. */
export async function readManifestText(request: HttpRequest): Promise<string> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') {
    if (request.body === undefined) throw new ValidationError('manifest', 'manifest is required.');
    return JSON.stringify(request.body);
  }
  if (!MANIFEST_TYPES.includes(type))
    throw new ValidationError(
      'content-type',
      `content-type must be one of ${MANIFEST_TYPES.join(', ')}; got ${JSON.stringify(type.slice(0, 60))}.`,
    );
  if (typeof request.body === 'string') return request.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.byteLength;
    if (size > MAX_MANIFEST_BYTES)
      throw new ValidationError(
        'manifest',
        `manifest must be at most ${MAX_MANIFEST_BYTES} bytes of UTF-8.`,
      );
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What applying a manifest would change (ManifestDiffDto). */
export const diffView = (d: ManifestDiff) => ({
  name: d.name,
  digest: d.digest,
  runningVersion: d.runningVersion,
  runningDigest: d.runningDigest ?? null,
  changes: d.changes,
  lines: d.lines,
  needsApproval: d.approvalReasons.length > 0,
  approvalReasons: d.approvalReasons,
  unchanged: d.unchanged,
  pendingDigest: d.pendingDigest ?? null,
});

/** What applying a manifest did (ApplyManifestResultDto), with the job as it now reads. */
export const applyView = <J>(outcome: ApplyOutcome, job: J, event?: JobDefinitionEvent) => ({
  outcome,
  job,
  changes:
    event?.type === 'JobManifestApplied' || event?.type === 'JobManifestProposed'
      ? event.data.changes
      : [],
  approvalReasons: event?.type === 'JobManifestProposed' ? event.data.reasons : [],
});
