module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'milestones-domain',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
