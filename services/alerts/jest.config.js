module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'alerts',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
