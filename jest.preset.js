// Shared by every project's jest.config.js. SWC transpiles TypeScript with decorator metadata
// (NestJS DI needs it) far faster than ts-jest on a 2-core machine; type checking is `nx run-many -t typecheck`.
const path = require('node:path');
const { pathsToModuleNameMapper } = require('./tools/jest/paths');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(path.join(__dirname, 'tsconfig.base.json')),
  testMatch: ['**/*.spec.ts'],
  setupFiles: [path.join(__dirname, 'tools/jest/setup-reflect.js')],
};
