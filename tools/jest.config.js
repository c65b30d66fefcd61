// Unit tests of the command-line tools (no infrastructure: the tools' runs against services are in tests/ and libs/).
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'tools',
  rootDir: __dirname,
  roots: ['<rootDir>'],
};
