/** What clients may send to /silences: whitelisted, validated, no unknown fields (platform's ValidationPipe). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, ValidateBy } from 'class-validator';
import { CursorQuery, IsOmittable } from '@tracker/platform';
import { IsDateTime } from '../alerts/dto';

const MAX_COMMENT = 1000;

export class CreateSilenceDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'silence this subscription of yours (at least one of subscriptionId, agreementId)' })
  @IsOmittable()
  @IsUUID('all', { message: 'subscriptionId must be a UUID' })
  subscriptionId?: string;

  @ApiPropertyOptional({ format: 'uuid', example: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70', description: 'silence this agreement’s alerts in all your subscriptions' })
  @IsOmittable()
  @IsUUID('all', { message: 'agreementId must be a UUID' })
  agreementId?: string;

  @IsDateTime('the silence ends then: later than now, at most a year ahead', '2026-12-20T00:00:00Z')
  until: string;

  @ApiProperty({ minLength: 1, maxLength: MAX_COMMENT, example: 'Agreement under renegotiation; we follow it in the working group' })
  // One check, so that a missing comment gets one message, not one per rule.
  @ValidateBy({
    name: 'isComment',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.trim().length > 0 && value.length <= MAX_COMMENT,
      defaultMessage: () => `comment must be a text of 1 to ${MAX_COMMENT} characters: why you silence it`,
    },
  })
  comment: string;
}

export class ListSilencesQuery extends CursorQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only silences holding now; false: only those ended (or expired)' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'active must be true or false' })
  active?: 'true' | 'false';
}
