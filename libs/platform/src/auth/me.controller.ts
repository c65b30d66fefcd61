/**
 * `GET /me`: who the API key is (its name and roles), so a client (the dashboard) shows only what the key may do.
 * Any valid key; the services still enforce every route's roles.
 */
import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ROLES } from './api-keys';
import type { AuthenticatedRequest } from './api-key.guard';
import { ApiKeyRequired } from '../http/openapi';
import { PLATFORM_OPTIONS } from '../tokens';

export class MeResponse {
  @ApiProperty({ example: 'agreements', description: 'the service answering' })
  service: string;

  @ApiProperty({ example: 'dev-monitor', description: 'the key’s name: the actor recorded in events' })
  name: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles: string[];
}

@ApiTags('platform')
@ApiKeyRequired({ anyKey: true })
@Controller('me')
export class MeController {
  constructor(@Inject(PLATFORM_OPTIONS) private readonly options: { serviceName: string }) {}

  @Get()
  @ApiOperation({ summary: 'The calling key: its name and roles (any valid key)' })
  @ApiOkResponse({ type: MeResponse })
  me(@Req() req: AuthenticatedRequest): MeResponse {
    return { service: this.options.serviceName, name: req.apiKey!.name, roles: [...req.apiKey!.roles] };
  }
}
