// Production runtime: resolves the workspace's @tracker/* aliases to the compiled files under dist/
// (tsc keeps import specifiers as written). Development runs TypeScript directly with @swc-node/register.
const Module = require('node:module');
const path = require('node:path');
const { compilerOptions } = require('../../tsconfig.base.json');

const dist = path.resolve(__dirname, '../../dist');
const aliases = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(dist, target.replace(/\.ts$/, '.js'))]),
);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, aliases[request] ?? request, ...rest);
};
