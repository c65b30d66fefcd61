module.exports = async function globalTeardown() {
  const stop = globalThis.__TRACKER_STOP_INFRA__;
  if (stop) {
    globalThis.__TRACKER_STOP_INFRA__ = undefined;
    await stop();
  }
};
