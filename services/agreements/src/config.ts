import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { EventSourcedServiceConfig } from '@tracker/service-runtime';

export class AgreementsConfig extends EventSourcedServiceConfig {
  override PORT = 3001;
  override MONGO_DB = 'agreements';

  /** Idle days (no activity by libs/contracts' agreement-activity rule) before an agreement counts as stalled; the alerts service reads it too (agreement.stalled). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  STALLED_AFTER_DAYS = 180;
}
