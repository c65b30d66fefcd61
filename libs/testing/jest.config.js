module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'testing',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
