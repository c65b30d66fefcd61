module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'messaging',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
