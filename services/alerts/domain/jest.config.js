module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'alerts-domain',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
