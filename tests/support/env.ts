/** The stack under test, as set by tools/jest/infra.js (environment, testcontainers or deploy/local). */
export function testEnv(): { kafkaBrokers: string[]; mongoUrl: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const mongoUrl = process.env.MONGO_URL;
  if (!brokers || !mongoUrl) {
    throw new Error('KAFKA_BROKERS and MONGO_URL are not set: run tests through `npm test` or jest with its globalSetup');
  }
  return { kafkaBrokers: brokers.split(','), mongoUrl };
}

export { uniqueName } from '@tracker/testing';
