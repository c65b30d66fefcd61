module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'service-runtime',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
