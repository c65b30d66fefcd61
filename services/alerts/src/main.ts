import 'reflect-metadata';
import { bootstrapService, loadConfigOrExit } from '@tracker/platform';
import { AlertsConfig } from './config';
import { AlertsApp } from './service';

void bootstrapService(AlertsApp.forRoot(loadConfigOrExit(AlertsConfig)));
