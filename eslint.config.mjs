import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

// The dependency direction is enforced here, not hoped for:
// - a service (scope:agreements|milestones|alerts|dashboard) may use its own scope and scope:shared, never another service;
// - domain code (type:domain) is pure: only other domain code and contracts, no NestJS, Mongo or Kafka;
// - contracts depend on nothing; shared libraries never depend on a service;
// - platform (type:platform) is HTTP only: it may not import the event store, messaging or the runtime;
// - the event-sourced runtime (type:runtime) sits on platform, event store and messaging;
// - test helpers (type:testing) may be imported by tests only (the no-restricted-imports rule below).
const infraPackages = ['@nestjs/*', 'mongoose', 'mongodb', 'kafkajs', 'express', 'pino', 'prom-client'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  {
    ignores: ['**/node_modules', '**/dist', '**/.nx', 'deploy/local/.cache', 'deploy/local/.data', 'reports'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:agreements', onlyDependOnLibsWithTags: ['scope:agreements', 'scope:shared'] },
            { sourceTag: 'scope:milestones', onlyDependOnLibsWithTags: ['scope:milestones', 'scope:shared'] },
            { sourceTag: 'scope:alerts', onlyDependOnLibsWithTags: ['scope:alerts', 'scope:shared'] },
            // The dashboard knows the services only through their HTTP APIs and the shared contracts.
            { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['scope:dashboard', 'scope:shared'] },
            { sourceTag: 'scope:tests', onlyDependOnLibsWithTags: ['*'] },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: ['type:contracts'],
              bannedExternalImports: infraPackages,
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
              bannedExternalImports: infraPackages,
            },
            { sourceTag: 'type:storage', onlyDependOnLibsWithTags: ['type:storage', 'type:testing'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:storage'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', 'type:storage', 'type:testing'] },
            {
              sourceTag: 'type:runtime',
              onlyDependOnLibsWithTags: ['type:runtime', 'type:platform', 'type:infra', 'type:contracts', 'type:storage', 'type:testing'],
            },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:runtime', 'type:platform', 'type:infra', 'type:contracts', 'type:storage'] },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:domain', 'type:runtime', 'type:platform', 'type:infra', 'type:contracts', 'type:storage', 'type:testing'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Test helpers stay out of production code: only specs, test fixtures (src/test/) and tests/ import them.
    files: ['**/*.ts'],
    // (Paths relative to each project's folder: tests/ switches the rule off in its own config.)
    ignores: ['**/*.spec.ts', '**/src/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@tracker/testing', message: 'test helpers are for tests only (*.spec.ts, tests/)' }] },
      ],
    },
  },
];
