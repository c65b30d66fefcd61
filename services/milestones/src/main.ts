import 'reflect-metadata';
import { bootstrapService, loadConfigOrExit } from '@tracker/platform';
import { AppModule } from './app.module';
import { MilestonesConfig } from './config';

void bootstrapService(AppModule.forRoot(loadConfigOrExit(MilestonesConfig)));
