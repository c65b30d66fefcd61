import 'reflect-metadata';
import { bootstrapService, loadConfigOrExit } from '@tracker/platform';
import { AgreementsApp } from './service';
import { AgreementsConfig } from './config';

void bootstrapService(AgreementsApp.forRoot(loadConfigOrExit(AgreementsConfig)));
