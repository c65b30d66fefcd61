import 'reflect-metadata';
import { bootstrapService, loadConfigOrExit } from '@tracker/platform';
import { AppModule } from './app.module';
import { AgreementsConfig } from './config';

void bootstrapService(AppModule.forRoot(loadConfigOrExit(AgreementsConfig)));
