export { startService, testConfig, uniqueTestName, eventually, type RunningService } from './service-harness';
