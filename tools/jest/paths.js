// Maps the tsconfig path aliases (@tracker/*) to source files so tests run against sources, not builds.
const fs = require('node:fs');
const path = require('node:path');

function pathsToModuleNameMapper(tsconfigFile) {
  const { compilerOptions } = JSON.parse(fs.readFileSync(tsconfigFile, 'utf8'));
  const root = path.dirname(tsconfigFile);
  const mapper = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    mapper[`^${alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`] = path.join(root, target);
  }
  return mapper;
}

module.exports = { pathsToModuleNameMapper };
