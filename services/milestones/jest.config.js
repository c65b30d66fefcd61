module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.integration.js'),
  displayName: 'milestones',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
