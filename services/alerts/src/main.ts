import 'reflect-metadata';
import { bootstrapService, loadConfigOrExit } from '@tracker/platform';
import { AlertsConfig } from './config';
import { AppModule } from './app.module';

void bootstrapService(AppModule.forRoot(loadConfigOrExit(AlertsConfig)));
