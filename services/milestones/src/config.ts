import { EventSourcedServiceConfig } from '@tracker/service-runtime';

export class MilestonesConfig extends EventSourcedServiceConfig {
  override PORT = 3002;
  override MONGO_DB = 'milestones';
}
