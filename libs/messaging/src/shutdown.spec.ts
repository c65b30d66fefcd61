import { EventEmitter } from 'node:events';
import { closeAll, installShutdownHooks } from './shutdown';

function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  let onExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (onExit = resolve));
  const proc = {
    once: (s: string, l: () => void) => emitter.once(s, l),
    removeListener: (s: string, l: () => void) => emitter.removeListener(s, l),
    exit: (code?: number) => {
      exits.push(code ?? 0);
      onExit(code ?? 0);
    },
  };
  return { emitter, exits, exited, proc: proc as never };
}

describe('shutdown hooks', () => {
  it('closes everything in order on SIGTERM, then exits 0', async () => {
    const order: string[] = [];
    const { emitter, exited, proc } = fakeProcess();
    installShutdownHooks(
      [
        { stop: async () => void order.push('consumer') },
        { close: async () => void order.push('relay') },
        { disconnect: async () => void order.push('producer') },
        async () => void order.push('fn'),
      ],
      { process: proc },
    );
    emitter.emit('SIGTERM');
    expect(await exited).toBe(0);
    expect(order).toEqual(['consumer', 'relay', 'producer', 'fn']);
  });

  it('goes on after a failing closable and exits 1', async () => {
    const closed: string[] = [];
    const errors: unknown[] = [];
    const { emitter, exited, proc } = fakeProcess();
    installShutdownHooks(
      [{ stop: async () => { throw new Error('boom'); } }, { stop: async () => void closed.push('b') }],
      { process: proc, onError: (e) => errors.push(e) },
    );
    emitter.emit('SIGINT');
    expect(await exited).toBe(1);
    expect(closed).toEqual(['b']);
    expect(errors).toHaveLength(1);
  });

  it('exits 1 when closing takes longer than the timeout', async () => {
    const { emitter, exited, proc } = fakeProcess();
    installShutdownHooks([{ stop: () => new Promise(() => undefined) }], { process: proc, timeoutMs: 20 });
    emitter.emit('SIGTERM');
    expect(await exited).toBe(1);
  });

  it('can be uninstalled', () => {
    const { emitter, exits, proc } = fakeProcess();
    const uninstall = installShutdownHooks([], { process: proc });
    uninstall();
    expect(emitter.listenerCount('SIGTERM')).toBe(0);
    expect(exits).toEqual([]);
  });

  it('closeAll reports success', async () => {
    expect(await closeAll([async () => undefined])).toBe(true);
  });
});
