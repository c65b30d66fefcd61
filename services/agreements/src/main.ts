import 'reflect-metadata';
import { bootstrapService, loadConfigOrExit } from '@tracker/platform';
import { AgreementsConfig } from './config';
import { AgreementsApp } from './service';

void bootstrapService(AgreementsApp.forRoot(loadConfigOrExit(AgreementsConfig)));
