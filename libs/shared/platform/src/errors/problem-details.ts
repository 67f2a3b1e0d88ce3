import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { MappedError } from './mapped-error';

export const PROBLEM_JSON = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://trainyard.dev/problems/';

/** One invalid request field of a problem's `violations`. */
export class FieldViolationDto {
  @ApiProperty({ description: 'The request field (query, path or body name)', example: 'title' })
  field!: string;

  @ApiProperty({ description: 'What is wrong with it', example: 'title is required' })
  detail!: string;
}

/** An RFC 9457 problem details object, with Trainyard's `field`, `violations` and `rule` extension members. */
export class ProblemDetailsDto {
  @ApiProperty({
    description: `A URI naming the problem type: ${PROBLEM_TYPE_BASE}{validation-error|malformed-json|rule-violation|not-found|already-exists|concurrency-conflict|resource-exhausted}, or about:blank (the title is then the HTTP status phrase)`,
    example: `${PROBLEM_TYPE_BASE}validation-error`,
  })
  type!: string;

  @ApiProperty({ description: 'Short summary of the problem type', example: 'Invalid request' })
  title!: string;

  @ApiProperty({ description: 'The HTTP status code', example: 400 })
  status!: number;

  @ApiProperty({
    description: 'What went wrong this time, for developers',
    example: 'pageSize must be 1..200',
  })
  detail!: string;

  @ApiProperty({ description: 'The request path that failed', example: '/api/planning/workloads' })
  instance!: string;

  @ApiPropertyOptional({
    description: 'The offending request field (query, path or body name); validation errors',
    example: 'pageSize',
  })
  field?: string;

  @ApiPropertyOptional({
    description:
      'Every invalid field when the request had several (`field` is the first of them); validation errors',
    type: () => [FieldViolationDto],
  })
  violations?: FieldViolationDto[];

  @ApiPropertyOptional({
    description: 'The id of the refused business rule; rule violations',
    example: 'dependency-acyclic',
  })
  rule?: string;
}

export type ProblemDetails = {
  -readonly [K in keyof ProblemDetailsDto]: ProblemDetailsDto[K];
};

/** The problem+json body of an HTTP error. */
export function problemOf(error: MappedError, instance: string): ProblemDetails {
  return {
    type: error.problem ? PROBLEM_TYPE_BASE + error.problem.slug : 'about:blank',
    title: error.problem?.title ?? STATUS_CODES[error.http] ?? 'Error',
    status: error.http,
    detail: error.message,
    instance,
    ...(error.field !== undefined ? { field: error.field } : {}),
    ...(error.violations !== undefined && error.violations.length > 1
      ? { violations: error.violations.map((v) => ({ field: v.field, detail: v.message })) }
      : {}),
    ...(error.rule !== undefined ? { rule: error.rule } : {}),
  };
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `field` names the offending parameter, `violations` every one when several',
  401: 'Missing, invalid or expired bearer token',
  403: "The token's roles lack the route's permission",
  404: 'No such resource',
  409: 'Refused by a business rule (`rule`), already exists, or a concurrent change won',
  415: 'The request body is not of a media type the route reads (JSON unless it says otherwise)',
  429: 'A bounded queue is full: retry after the `Retry-After` header (seconds)',
};

/**
 * Documents a route's error responses as `application/problem+json` ProblemDetails (RFC 9457).
 * Defaults to the statuses every authenticated read route can answer: 400, 401, 403.
 */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  const codes = statuses.length ? statuses : [400, 401, 403];
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...codes.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? 'Error',
        content: { [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
      }),
    ),
  );
}
