module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'agreements',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
