module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'platform',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
