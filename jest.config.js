const { getJestProjectsAsync } = require('@nx/jest');

// One Jest run over every project gives one summary; `nx run-many -t test` runs them per project instead.
module.exports = async () => ({
  projects: await getJestProjectsAsync(),
  maxWorkers: 2,
});
