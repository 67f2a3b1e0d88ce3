import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { calendar } from '@trainyard/grpc-contracts';
import { ValidationError } from '@trainyard/kernel';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { CalendarQueries, calendarKind } from '../application/calendar.queries';
import { CalendarUseCases } from '../application/use-cases/calendar.use-cases';
import {
  toDefinition,
  toProtoComponent,
  toProtoEntry,
  toProtoOccurrence,
} from './calendar.grpc-mapping';

/** The gRPC service of the calendar. */
export const CALENDAR_SERVICE = 'CalendarService';

/** `trainyard.scheduling.v1.CalendarService`: calendar entries, components, occurrences. */
@Controller()
export class CalendarGrpcController implements calendar.CalendarServiceController {
  constructor(
    private readonly useCases: CalendarUseCases,
    private readonly queries: CalendarQueries,
    private readonly contexts: CommandContexts,
  ) {}

  @GrpcMethod(CALENDAR_SERVICE, 'defineCalendarEntry')
  @RequirePermission('scheduling:calendar:write')
  async defineCalendarEntry(
    request: calendar.DefineCalendarEntryRequest,
    metadata: Metadata,
  ): Promise<calendar.DefineCalendarEntryResponse> {
    const definition = toDefinition(request.definition);
    const changed = await this.useCases.define(
      definition,
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { entry: toProtoEntry(await this.queries.getEntry(definition.id)), changed };
  }

  @GrpcMethod(CALENDAR_SERVICE, 'reviseCalendarEntry')
  @RequirePermission('scheduling:calendar:write')
  async reviseCalendarEntry(
    request: calendar.ReviseCalendarEntryRequest,
    metadata: Metadata,
  ): Promise<calendar.ReviseCalendarEntryResponse> {
    const definition = toDefinition(request.definition);
    const changed = await this.useCases.revise(
      definition,
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { entry: toProtoEntry(await this.queries.getEntry(definition.id)), changed };
  }

  @GrpcMethod(CALENDAR_SERVICE, 'retireCalendarEntry')
  @RequirePermission('scheduling:calendar:write')
  async retireCalendarEntry(
    request: calendar.RetireCalendarEntryRequest,
    metadata: Metadata,
  ): Promise<calendar.RetireCalendarEntryResponse> {
    const changed = await this.useCases.retire(
      request.entryId,
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { entry: toProtoEntry(await this.queries.getEntry(request.entryId)), changed };
  }

  @GrpcMethod(CALENDAR_SERVICE, 'declareComponent')
  @RequirePermission('scheduling:calendar:write')
  async declareComponent(
    request: calendar.DeclareComponentRequest,
    metadata: Metadata,
  ): Promise<calendar.DeclareComponentResponse> {
    const changed = await this.useCases.declareComponent(
      {
        componentId: request.componentId,
        ...(request.parentId ? { parentId: request.parentId } : {}),
      },
      this.contexts.forGrpc(metadata, request.reason),
    );
    const component = await this.queries.findComponent(request.componentId);
    return {
      component: component
        ? toProtoComponent(component)
        : { componentId: request.componentId, parentId: request.parentId },
      changed,
    };
  }

  @GrpcMethod(CALENDAR_SERVICE, 'getCalendarEntry')
  @RequirePermission('scheduling:read')
  async getCalendarEntry(
    request: calendar.GetCalendarEntryRequest,
  ): Promise<calendar.GetCalendarEntryResponse> {
    if (!request.entryId) throw new ValidationError('entryId', 'entryId is required.');
    return { entry: toProtoEntry(await this.queries.getEntry(request.entryId)) };
  }

  @GrpcMethod(CALENDAR_SERVICE, 'listCalendarEntries')
  @RequirePermission('scheduling:read')
  async listCalendarEntries(
    request: calendar.ListCalendarEntriesRequest,
  ): Promise<calendar.ListCalendarEntriesResponse> {
    const page = await this.queries.listEntries({
      kinds: request.kind ? [calendarKind('kind', request.kind)] : [],
      ...(request.train ? { train: request.train } : {}),
      ...(request.team ? { team: request.team } : {}),
      ...(request.environment ? { environment: request.environment } : {}),
      ...(request.component ? { component: request.component } : {}),
      includeRetired: request.includeRetired,
      ...(request.page ? { page: request.page } : {}),
      ...(request.pageSize ? { pageSize: request.pageSize } : {}),
    });
    return {
      entries: page.items.map(toProtoEntry),
      page: page.page,
      pageSize: page.pageSize,
      total: page.total,
    };
  }

  @GrpcMethod(CALENDAR_SERVICE, 'listOccurrences')
  @RequirePermission('scheduling:read')
  async listOccurrences(
    request: calendar.ListOccurrencesRequest,
  ): Promise<calendar.ListOccurrencesResponse> {
    if (!request.entryId) throw new ValidationError('entryId', 'entryId is required.');
    const occurrences = await this.queries.occurrences(request.entryId, request.from, request.to);
    return { entryId: request.entryId, occurrences: occurrences.map(toProtoOccurrence) };
  }
}
