// Unit tests only (the server on loopback sockets, the app's pure modules); the browser journey on the real stack
// is tests/e2e/dashboard.int.spec.ts.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'dashboard',
  rootDir: __dirname,
  roots: ['<rootDir>/server', '<rootDir>/web/src'],
};
