import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

// The dependency direction is enforced here, not hoped for:
// - a service (scope:agreements|milestones|alerts) may use its own scope and scope:shared, never another service;
// - domain code (type:domain) is pure: only other domain code and contracts, no NestJS, Mongo or Kafka;
// - contracts depend on nothing; shared infrastructure never depends on a service.
const infraPackages = ['@nestjs/*', 'mongoose', 'mongodb', 'kafkajs', 'express', 'pino', 'prom-client'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  {
    ignores: ['**/node_modules', '**/dist', '**/.nx', 'deploy/local/.cache', 'deploy/local/.data', 'reports'],
  },
  {
    files: ['**/*.ts'],
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
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:contracts'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:contracts'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
