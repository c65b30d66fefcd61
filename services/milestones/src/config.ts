import { EventSourcedServiceConfig } from '@tracker/platform';

export class MilestonesConfig extends EventSourcedServiceConfig {
  override PORT = 3002;
  override MONGO_DB = 'milestones';
}
