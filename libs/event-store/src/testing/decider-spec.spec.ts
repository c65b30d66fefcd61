import { DomainError, type Decider } from '@tracker/contracts';
import { DeciderSpecification } from './decider-spec';

// A toy decider: a counter that can be opened, incremented up to a limit, and closed.
type State = { status: 'none' } | { status: 'open' | 'closed'; value: number; limit: number };
type Command = { kind: 'open'; limit: number } | { kind: 'add'; by: number } | { kind: 'close' };
type Event =
  | { type: 'counter.opened'; schemaVersion: 1; data: { limit: number } }
  | { type: 'counter.added'; schemaVersion: 1; data: { by: number } }
  | { type: 'counter.closed'; schemaVersion: 1; data: Record<string, never> };

class LimitExceeded extends Error {}

const counter: Decider<State, Command, Event> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.kind) {
      case 'open':
        if (state.status !== 'none') throw new DomainError('conflict', 'already open');
        return [{ type: 'counter.opened', schemaVersion: 1, data: { limit: command.limit } }];
      case 'add':
        if (state.status !== 'open') throw new DomainError('invalid-transition', `counter is ${state.status}`);
        if (command.by === 0) return [];
        if (state.value + command.by > state.limit) throw new LimitExceeded(`limit ${state.limit}`);
        return [{ type: 'counter.added', schemaVersion: 1, data: { by: command.by } }];
      case 'close':
        if (state.status !== 'open') throw new DomainError('invalid-transition', 'not open');
        return [{ type: 'counter.closed', schemaVersion: 1, data: {} }];
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'counter.opened':
        return { status: 'open', value: 0, limit: event.data.limit };
      case 'counter.added':
        return state.status === 'none' ? state : { ...state, value: state.value + event.data.by };
      case 'counter.closed':
        return state.status === 'none' ? state : { ...state, status: 'closed' };
    }
  },
};

const opened: Event = { type: 'counter.opened', schemaVersion: 1, data: { limit: 10 } };
const added = (by: number): Event => ({ type: 'counter.added', schemaVersion: 1, data: { by } });
const closed: Event = { type: 'counter.closed', schemaVersion: 1, data: {} };

const given = DeciderSpecification.for(counter);

describe('DeciderSpecification with a toy decider', () => {
  it.each<[string, Event[], Command, Event[]]>([
    ['opens a new counter', [], { kind: 'open', limit: 10 }, [opened]],
    ['adds within the limit', [opened, added(4)], { kind: 'add', by: 6 }, [added(6)]],
    ['closes an open counter', [opened], { kind: 'close' }, [closed]],
  ])('%s', (_name, history, command, expected) => {
    given(history).when(command).then(expected);
  });

  it.each<[string, Event[], Command, (e: unknown) => boolean]>([
    ['refuses to open twice', [opened], { kind: 'open', limit: 1 }, (e) => e instanceof DomainError && e.code === 'conflict'],
    ['refuses to add to a closed counter', [opened, closed], { kind: 'add', by: 1 }, (e) => e instanceof DomainError && e.code === 'invalid-transition'],
  ])('%s', (_name, history, command, predicate) => {
    given(history).when(command).thenThrows(predicate);
  });

  it('matches an error class, optionally with a predicate, and returns the error', () => {
    const err = given([opened, added(9)]).when({ kind: 'add', by: 2 }).thenThrows(LimitExceeded);
    expect(err.message).toBe('limit 10');
    given([]).when({ kind: 'close' }).thenThrows(DomainError, (e) => e.code === 'invalid-transition');
  });

  it('accepts an assertion function and detects "nothing happened"', () => {
    given([opened]).when({ kind: 'add', by: 3 }).then((events) => expect(events).toHaveLength(1));
    given([opened]).when({ kind: 'add', by: 0 }).thenNothingHappened();
  });

  it('fails when the decided events differ, nothing is thrown, or the wrong error is thrown', () => {
    expect(() => given([]).when({ kind: 'open', limit: 10 }).then([closed])).toThrow();
    expect(() => given([]).when({ kind: 'open', limit: 10 }).thenThrows(DomainError)).toThrow(/expected decide to throw/);
    expect(() => given([opened, added(9)]).when({ kind: 'add', by: 2 }).thenThrows(DomainError)).toThrow(/expected a DomainError/);
    expect(() => given([opened]).when({ kind: 'open', limit: 1 }).thenThrows(DomainError, (e) => e.code === 'not-found')).toThrow(/predicate/);
    expect(() => given([opened]).when({ kind: 'add', by: 1 }).thenNothingHappened()).toThrow();
  });

  it('is also callable in the @tracker/contracts shape', () => {
    DeciderSpecification(counter).given([opened]).when({ kind: 'close' }).then([closed]);
  });
});
