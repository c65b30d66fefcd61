module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'dashboard',
  rootDir: __dirname,
  roots: ['<rootDir>/server', '<rootDir>/web/src'],
};
