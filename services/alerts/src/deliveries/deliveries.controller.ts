import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import type { Actor } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblem, ApiUuidParam, CurrentActor, CursorQuery, Roles } from '@tracker/platform';
import { DeliveriesService, type DeliveryStatus } from './deliveries.service';
import { DELIVERY_STATUSES as STATUSES, Delivery, DeliveryPage } from './responses';

export class ListDeliveriesQuery extends CursorQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'subscriptionId must be a UUID' })
  subscriptionId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: DeliveryStatus;
}

@ApiTags('deliveries')
@ApiKeyRequired()
@Controller('deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @Roles('stakeholder', 'auditor')
  @ApiOperation({ summary: 'Webhook deliveries with every attempt (stakeholders: their own; auditors and admins: all)' })
  @ApiOkResponse({ type: DeliveryPage })
  list(@Query() query: ListDeliveriesQuery, @CurrentActor() actor: Actor) {
    return this.deliveries.list(query, actor);
  }

  @Post(':id/redrive')
  @HttpCode(200)
  @Roles('stakeholder')
  @ApiOperation({ summary: 'Send an undeliverable delivery again (one’s own; admins: any); others answer 409' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Delivery, description: 'the delivery, pending again' })
  @ApiProblem(404, 'No such delivery, or someone else’s.')
  @ApiProblem(409, 'Only a failed delivery can be re-driven.')
  redrive(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    return this.deliveries.redrive(id, actor);
  }
}
