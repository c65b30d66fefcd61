module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'mongo',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
