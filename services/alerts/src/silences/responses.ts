/** What /silences answers, for the OpenAPI: the class implements the type the code returns. */
import { ApiProperty } from '@nestjs/swagger';
import { CursorPageOf } from '@tracker/platform';
import type { SilenceView } from './silences.service';

const optional = { required: false } as const;

export class Silence implements SilenceView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'dev-stakeholder', description: 'whose deliveries it holds' })
  owner: string;

  @ApiProperty({ ...optional, format: 'uuid', description: 'the subscription it silences' })
  subscriptionId?: string;

  @ApiProperty({ ...optional, format: 'uuid', description: 'the agreement it silences, in all the owner’s subscriptions' })
  agreementId?: string;

  @ApiProperty({ format: 'date-time', description: 'when it was asked to end' })
  until: string;

  @ApiProperty({ format: 'date-time', description: 'when it ends or ended: until, or earlier if expired' })
  endsAt: string;

  @ApiProperty({ description: 'holding now: alerts it covers are recorded (the inbox marks them) but not delivered' })
  active: boolean;

  @ApiProperty()
  comment: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ example: 'dev-stakeholder' })
  createdBy: string;

  @ApiProperty({ ...optional, format: 'date-time', description: 'ended early (POST /silences/{id}/expire)' })
  expiredAt?: string;

  @ApiProperty({ ...optional, example: 'dev-stakeholder' })
  expiredBy?: string;
}

export class SilencePage extends CursorPageOf(Silence) {}
