// For projects with *.int.spec.ts: make sure Kafka and MongoDB are reachable before tests start
// (tools/jest/infra.js decides between the environment, testcontainers and deploy/local).
const path = require('node:path');

module.exports = {
  globalSetup: path.join(__dirname, 'tools/jest/global-setup.js'),
  globalTeardown: path.join(__dirname, 'tools/jest/global-teardown.js'),
  // Integration tests wait on real brokers and databases; a rebalance alone can take seconds.
  // (testTimeout is a global-only option in multi-project runs, so it is set per test file here.)
  setupFilesAfterEnv: [path.join(__dirname, 'tools/jest/integration-timeout.js')],
};
