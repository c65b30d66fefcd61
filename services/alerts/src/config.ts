import { EventSourcedServiceConfig } from '@tracker/platform';

export class AlertsConfig extends EventSourcedServiceConfig {
  override PORT = 3003;
  override MONGO_DB = 'alerts';
}
