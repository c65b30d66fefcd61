const { ensureInfra } = require('./infra');

// Jest runs a project's globalSetup once per project; the first one starts the stack, the rest see the env set.
module.exports = async function globalSetup() {
  const stop = await ensureInfra();
  if (stop) globalThis.__TRACKER_STOP_INFRA__ = stop;
};
