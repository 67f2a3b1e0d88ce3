import { Inject, Injectable, Optional } from '@nestjs/common';
import { ValidationError } from '@trainyard/kernel';
import {
  detectConflicts,
  formatUtcInstant,
  type Conflict,
  type ConflictParty,
} from '@trainyard/scheduling-domain';
import { PLACEMENT_INPUTS, type PlacementInputsPort } from './placement-inputs.port';

/** How each transport names the fields, so a 400 or INVALID_ARGUMENT names the caller's field. */
export interface ConflictFieldNames {
  readonly components: string;
  readonly from: string;
  readonly to: string;
  readonly owner: string;
  readonly train: string;
  readonly team: string;
  readonly environment: string;
  readonly page: string;
  readonly pageSize: string;
}

export interface ListConflictsParams {
  readonly components: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly owner?: string;
  readonly train: string;
  readonly team: string;
  readonly environment: string;
  readonly page?: number;
  readonly pageSize?: number;
}

/** One conflict as the transports answer it: instants in UTC, the party flattened. */
export interface ConflictView {
  readonly rule: string;
  readonly start: string;
  readonly end: string;
  readonly party: ConflictPartyView;
}

export interface ConflictPartyView {
  readonly kind: ConflictParty['kind'];
  readonly id?: string;
  readonly component?: string;
  readonly resource?: string;
  readonly owner?: string;
  readonly bookingId?: string;
  readonly deploymentId?: string;
  readonly freezeId?: string;
  readonly team?: string;
  readonly zone?: string;
}

export interface ConflictPage {
  readonly items: ConflictView[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

/** A conflict query covers at most this span (a year and a day: a leap year's calendar). */
export const CONFLICT_RANGE_MAX_MS = 366 * 86_400_000;
export const CONFLICT_PAGE_SIZE_MAX = 200;
const NAME_MAX = 200;
const COMPONENTS_MAX = 100;

// RFC 3339 with an explicit offset or Z; Date.parse alone accepts far more than that.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const instant = (field: string, value: string | undefined): number => {
  if (value === undefined || value === '')
    throw new ValidationError(field, `${field} is required: an RFC 3339 instant.`);
  const ms = RFC3339.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms))
    throw new ValidationError(field, `${field} must be an RFC 3339 instant; got ${value}`);
  return ms;
};

const name = (field: string, value: string | undefined, required: boolean): string | undefined => {
  if (value === undefined || value === '') {
    if (required) throw new ValidationError(field, `${field} is required.`);
    return undefined;
  }
  if (value.length > NAME_MAX || value.trim() !== value || value.includes(','))
    throw new ValidationError(
      field,
      `${field} must be a name of at most ${NAME_MAX} characters without surrounding spaces or commas.`,
    );
  return value;
};

const partyView = (party: ConflictParty): ConflictPartyView => {
  switch (party.kind) {
    case 'holiday':
      return { kind: party.kind, id: party.id, freezeId: party.freezeId };
    case 'working-hours':
      return { kind: party.kind, team: party.team, zone: party.zone };
    case 'deadline':
      return { kind: party.kind };
    case 'blast-radius':
      return { kind: party.kind, component: party.component };
    default:
      return { ...party };
  }
};

const view = (c: Conflict): ConflictView => ({
  rule: c.rule,
  start: formatUtcInstant(c.interval.start),
  end: formatUtcInstant(c.interval.end),
  party: partyView(c.party),
});

/**
 * `ListConflicts` (issue 11 item 5): every conflict of a proposed change or job run over
 * [from, to) with the calendar, each with its rule and the other party, by the same rule functions
 * placement uses. Reads the calendar through the PlacementInputs port (the deployment-plan side
 * implements it); stores nothing.
 */
@Injectable()
export class ConflictQueries {
  constructor(
    // Optional so the service starts before the port is wired; a query then fails loudly.
    @Optional() @Inject(PLACEMENT_INPUTS) private readonly inputs?: PlacementInputsPort,
  ) {}

  async listConflicts(
    params: ListConflictsParams,
    fields: ConflictFieldNames,
  ): Promise<ConflictPage> {
    const from = instant(fields.from, params.from);
    const to = instant(fields.to, params.to);
    if (to <= from)
      throw new ValidationError(fields.to, `${fields.to} must be after ${fields.from}.`);
    if (to - from > CONFLICT_RANGE_MAX_MS)
      throw new ValidationError(
        fields.to,
        `${fields.to} must be at most 366 days after ${fields.from}.`,
      );
    if (params.components.length === 0)
      throw new ValidationError(
        fields.components,
        `${fields.components} must name at least one component.`,
      );
    if (params.components.length > COMPONENTS_MAX)
      throw new ValidationError(
        fields.components,
        `${fields.components} may name at most ${COMPONENTS_MAX} components.`,
      );
    const components = params.components.map((c) => name(fields.components, c, true)!);
    const train = name(fields.train, params.train, true)!;
    const team = name(fields.team, params.team, true)!;
    const environment = name(fields.environment, params.environment, true)!;
    const owner = name(fields.owner, params.owner, false);
    const page = params.page ?? 1;
    const pageSize = params.pageSize ?? 50;
    if (!Number.isInteger(page) || page < 1)
      throw new ValidationError(
        fields.page,
        `${fields.page} must be a whole number of at least 1.`,
      );
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > CONFLICT_PAGE_SIZE_MAX)
      throw new ValidationError(
        fields.pageSize,
        `${fields.pageSize} must be 1..${CONFLICT_PAGE_SIZE_MAX}.`,
      );
    if (!this.inputs)
      throw new Error(
        'The placement inputs (calendar and deployments read side) are not wired into the scheduling service.',
      );
    const context = await this.inputs.assemble({ from, to });
    const conflicts = detectConflicts(
      {
        interval: { start: from, end: to },
        components: [...new Set(components)],
        train,
        team,
        environment,
        ...(owner !== undefined ? { owner } : {}),
      },
      context,
    );
    return {
      items: conflicts.slice((page - 1) * pageSize, page * pageSize).map(view),
      page,
      pageSize,
      total: conflicts.length,
    };
  }
}
