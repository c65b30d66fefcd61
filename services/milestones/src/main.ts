import 'reflect-metadata';
import { bootstrapService, loadConfigOrExit } from '@tracker/platform';
import { MilestonesConfig } from './config';
import { MilestonesApp } from './service';

void bootstrapService(MilestonesApp.forRoot(loadConfigOrExit(MilestonesConfig)));
