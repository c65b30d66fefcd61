module.exports = {
  ...require('../jest.preset.js'),
  ...require('../jest.integration.js'),
  displayName: 'tests',
  rootDir: __dirname,
  // Cross-service suites, the short fault suite and the contract fuzzer; tests/bench is run by `npm run bench`,
  // never by `npm test`.
  roots: ['<rootDir>/compat', '<rootDir>/e2e', '<rootDir>/faults', '<rootDir>/contract'].filter((dir) =>
    require('node:fs').existsSync(dir.replace('<rootDir>', __dirname)),
  ),
};
