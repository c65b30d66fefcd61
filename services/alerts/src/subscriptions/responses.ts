/** What /subscriptions answers, for the OpenAPI (SubscriptionView): the webhook secret is never in it. */
import { ApiProperty } from '@nestjs/swagger';
import { AlertChannels, type AlertChannel } from '@tracker/contracts';
import { CursorPageOf } from '@tracker/platform';
import { DigestDto, GroupingDto, RepeatDto, SubscriptionFiltersDto } from './dto';
import type { SubscriptionView } from './subscriptions.service';

export class SubscriptionChannel {
  @ApiProperty({ enum: AlertChannels })
  type: AlertChannel;

  @ApiProperty({ required: false, format: 'uri', example: 'https://hooks.example.org/tracker', description: 'webhook only' })
  url?: string;

  @ApiProperty({ required: false, description: 'webhook only: whether a signing secret is kept (it is never returned)' })
  hasSecret?: boolean;
}

export class Subscription implements SubscriptionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'dev-stakeholder', description: 'the key that subscribed' })
  owner: string;

  @ApiProperty({ required: false, example: 'Critical minerals: Türkiye and Uzbekistan' })
  name?: string;

  @ApiProperty({ type: SubscriptionFiltersDto })
  filters: SubscriptionFiltersDto;

  @ApiProperty({ type: SubscriptionChannel })
  channel: SubscriptionChannel;

  @ApiProperty({ type: GroupingDto, required: false })
  grouping?: GroupingDto;

  @ApiProperty({ type: RepeatDto, required: false })
  repeat?: RepeatDto;

  @ApiProperty({ type: DigestDto, required: false })
  digest?: DigestDto;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class SubscriptionPage extends CursorPageOf(Subscription) {}
