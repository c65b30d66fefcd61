import { BaseServiceConfig } from '@tracker/platform';

export class MilestonesConfig extends BaseServiceConfig {
  override PORT = 3002;
  override MONGO_DB = 'milestones';
}
