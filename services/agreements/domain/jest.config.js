module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'agreements-domain',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
