import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import {
  ApiProblemResponses,
  CommandContexts,
  RequirePermission,
  SERVICE_CONFIG,
  type ServiceConfig,
} from '@trainyard/platform';
import { Inject } from '@nestjs/common';
import { AccessAdminUseCases, accessModelOf } from './access-admin.use-cases';

export class AccessRoleDto {
  @ApiProperty({ example: 'release-reader' }) name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() privileged!: boolean;
  @ApiProperty({ type: [String], example: ['planning:read'] }) permissions!: string[];
  @ApiPropertyOptional({ enum: ['built-in', 'administered'] }) source?: string;
}

export class AccessRolesDto {
  @ApiProperty({ type: [AccessRoleDto] }) roles!: AccessRoleDto[];
  @ApiProperty() modelVersion!: number;
}

export class PutRoleBodyDto {
  @ApiPropertyOptional() description?: string;
  @ApiProperty() privileged!: boolean;
  @ApiProperty({ type: [String] }) permissions!: string[];
  @ApiPropertyOptional({ description: 'Why: recorded with the change' }) reason?: string;
}

export class GrantBodyDto {
  @ApiProperty({ description: "The principal's token subject" }) subject!: string;
  @ApiPropertyOptional() reason?: string;
}

export class AccessChangeDto {
  @ApiProperty({ enum: ['applied', 'proposed', 'unchanged'] }) outcome!: string;
  @ApiPropertyOptional({ description: 'The change awaiting a second person' }) pending?: object;
  @ApiProperty() modelVersion!: number;
}

type HttpRequest = { readonly headers: Record<string, string | string[] | undefined> };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const bodyOf = (body: unknown): Record<string, unknown> => {
  if (!isRecord(body)) throw new ValidationError('body', 'body must be a JSON object.');
  return body;
};

const reasonOf = (body: Record<string, unknown>): string => {
  const reason = body.reason ?? '';
  if (typeof reason !== 'string' || reason.length > 500)
    throw new ValidationError('reason', 'reason must be text of at most 500 characters.');
  return reason;
};

/** REST for access administration (the same use cases as AccessAdminService). */
@ApiTags('compliance')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/compliance/roles')
export class AccessAdminHttpController {
  constructor(
    private readonly access: AccessAdminUseCases,
    private readonly contexts: CommandContexts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Get()
  @RequirePermission('compliance:access:read')
  @ApiOperation({ summary: 'Roles in force: built-in and administered, with their permissions' })
  @ApiOkResponse({ type: AccessRolesDto })
  list() {
    return this.access.rolesInForce();
  }

  @Get('model')
  @RequirePermission('compliance:access:read')
  @ApiOperation({ summary: 'The access model as published to every service guard' })
  async model() {
    return {
      ...accessModelOf(await this.access.state(), this.contexts.now()),
      topic: this.config.ACCESS_MODEL_TOPIC,
    };
  }

  @Get('changes')
  @RequirePermission('compliance:access:read')
  @ApiOperation({ summary: 'Changes to privileged roles awaiting a second person' })
  async pending() {
    return { changes: await this.access.pendingChanges() };
  }

  @Put(':name')
  @RequirePermission('compliance:access:write')
  @ApiOperation({ summary: 'Define or redefine a role (privileged: proposed for approval)' })
  @ApiParam({ name: 'name' })
  @ApiBody({ type: PutRoleBodyDto })
  @ApiOkResponse({ type: AccessChangeDto })
  @ApiProblemResponses(409)
  put(@Param('name') name: string, @Body() body: unknown, @Req() request: HttpRequest) {
    const b = bodyOf(body);
    return this.access.putRole(
      {
        role: {
          name,
          description: b.description ?? '',
          privileged: b.privileged,
          permissions: b.permissions,
        },
      },
      this.contexts.forHttp(request, reasonOf(b)),
    );
  }

  @Post(':name/grants')
  @HttpCode(200)
  @RequirePermission('compliance:access:write')
  @ApiOperation({ summary: 'Grant the role to a subject (privileged: proposed for approval)' })
  @ApiBody({ type: GrantBodyDto })
  @ApiOkResponse({ type: AccessChangeDto })
  @ApiProblemResponses(404, 409)
  grant(@Param('name') name: string, @Body() body: unknown, @Req() request: HttpRequest) {
    const b = bodyOf(body);
    return this.access.grantRole(
      { subject: b.subject as string, role: name },
      this.contexts.forHttp(request, reasonOf(b)),
    );
  }

  @Delete(':name/grants/:subject')
  @RequirePermission('compliance:access:write')
  @ApiOperation({ summary: 'Withdraw the role from a subject' })
  @ApiOkResponse({ type: AccessChangeDto })
  revoke(
    @Param('name') name: string,
    @Param('subject') subject: string,
    @Req() request: HttpRequest,
  ) {
    return this.access.revokeRole({ subject, role: name }, this.contexts.forHttp(request));
  }

  @Post('changes/:changeId/approve')
  @HttpCode(200)
  @RequirePermission('compliance:access:approve')
  @ApiOperation({ summary: "Approve a pending change (never one's own)" })
  @ApiOkResponse({ type: AccessChangeDto })
  @ApiProblemResponses(404, 409)
  approve(@Param('changeId') changeId: string, @Req() request: HttpRequest) {
    return this.access.approve({ changeId }, this.contexts.forHttp(request));
  }

  @Post('changes/:changeId/reject')
  @HttpCode(200)
  @RequirePermission('compliance:access:approve')
  @ApiOperation({ summary: 'Reject a pending change' })
  @ApiOkResponse({ type: AccessChangeDto })
  @ApiProblemResponses(404, 409)
  reject(@Param('changeId') changeId: string, @Req() request: HttpRequest) {
    return this.access.reject({ changeId }, this.contexts.forHttp(request));
  }
}
