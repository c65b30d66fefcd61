/**
 * Preloaded into a service process by tests that kill it at one exact step of a keyed POST (NODE_OPTIONS=
 * "--require tests/support/crash-at.js", CRASH_AT=<step>): the process SIGKILLs itself, as a crash or an OOM kill
 * would, at the first
 *   before-append  event store append (nothing stored yet; the Idempotency-Key's intent is recorded),
 *   after-append   event store append, once it stored the events (before the view and the key's answer),
 *   after-record   recording of a keyed answer (stored, but the client never gets it).
 * Patched after the service's modules loaded (they are the same module instances, by path).
 */
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const step = process.env.CRASH_AT;
const die = () => process.kill(process.pid, 'SIGKILL');
const never = () => new Promise(() => undefined);

function patch(file, className, method, around) {
  const exported = require(path.join(root, file));
  const proto = exported[className].prototype;
  const original = proto[method];
  proto[method] = function (...args) {
    return around(() => original.apply(this, args));
  };
}

setImmediate(() => {
  if (step === 'before-append') {
    patch('libs/event-store/src/event-store.ts', 'EventStore', 'append', () => (die(), never()));
  } else if (step === 'after-append') {
    patch('libs/event-store/src/event-store.ts', 'EventStore', 'append', async (run) => {
      await run();
      die();
      return never();
    });
  } else if (step === 'after-record') {
    patch('libs/platform/src/idempotency/idempotency-store.ts', 'IdempotencyStore', 'complete', async (run) => {
      await run();
      die();
      return never();
    });
  } else if (step) {
    throw new Error(`CRASH_AT=${step}: expected before-append, after-append or after-record`);
  }
});
