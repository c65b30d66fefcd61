module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'event-store',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
