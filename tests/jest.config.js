module.exports = {
  ...require('../jest.preset.js'),
  ...require('../jest.integration.js'),
  displayName: 'tests',
  rootDir: __dirname,
  roots: ['<rootDir>/compat', '<rootDir>/e2e'],
};
