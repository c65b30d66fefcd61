/**
 * Table tests for deciders, as in Emmett:
 *
 *   const given = DeciderSpecification.for(decider);
 *   given([registered]).when({ kind: 'suspend', reason: 'x' }).then([suspended]);
 *   given([]).when({ kind: 'suspend', reason: 'x' }).thenThrows(DomainError, (e) => e.code === 'not-found');
 *
 * Pure (no database, no broker): `given` events are folded with `evolve` from `initialState()`, then `decide` runs.
 * Uses jest's `expect(...).toEqual` when a global `expect` exists (readable diffs), else a strict JSON comparison;
 * failures throw, so any test runner reports them.
 */
import type { DecidedEvent, Decider } from '@tracker/contracts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass<E extends Error = Error> = abstract new (...args: any[]) => E;
export type ErrorPredicate<E = unknown> = (error: E) => boolean;

export interface DeciderThen<Event> {
  /** The decided events equal `expected`, or pass the assertion function. */
  then(expected: readonly Event[] | ((events: Event[]) => void)): void;
  /** `decide` decided nothing. */
  thenNothingHappened(): void;
  /**
   * `decide` threw: an instance of the class (and matching the predicate, if given), or an error the predicate
   * accepts. Returns the error for further assertions.
   */
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, predicate?: ErrorPredicate<E>): E;
  thenThrows(predicate?: ErrorPredicate): unknown;
}

export interface DeciderGiven<Command, Event> {
  when(command: Command): DeciderThen<Event>;
}

export type Given<Command, Event> = (events: readonly Event[]) => DeciderGiven<Command, Event>;

type JestLikeExpect = (actual: unknown) => { toEqual(expected: unknown): void };

function assertEqual(actual: unknown, expected: unknown): void {
  const jestExpect = (globalThis as { expect?: JestLikeExpect }).expect;
  if (typeof jestExpect === 'function') {
    jestExpect(actual).toEqual(expected);
    return;
  }
  const a = JSON.stringify(actual, null, 2);
  const e = JSON.stringify(expected, null, 2);
  if (a !== e) throw new Error(`decided events differ\nexpected: ${e}\nactual:   ${a}`);
}

function isErrorClass(value: unknown): value is ErrorClass {
  return (
    typeof value === 'function' &&
    value.prototype !== undefined &&
    (value === Error || value.prototype instanceof Error)
  );
}

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function given<State, Command, Event extends DecidedEvent>(
  decider: Decider<State, Command, Event>,
): Given<Command, Event> {
  return (events) => ({
    when(command) {
      const run = (): Event[] => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
      const self: DeciderThen<Event> = {
        then(expected) {
          const actual = run();
          if (typeof expected === 'function') expected(actual);
          else assertEqual(actual, expected);
        },
        thenNothingHappened() {
          assertEqual(run(), []);
        },
        thenThrows(classOrPredicate?: ErrorClass | ErrorPredicate, predicate?: ErrorPredicate): never {
          let produced: Event[];
          try {
            produced = run();
          } catch (err) {
            if (isErrorClass(classOrPredicate)) {
              if (!(err instanceof classOrPredicate)) {
                throw new Error(`expected a ${classOrPredicate.name} to be thrown, got ${describeValue(err)}`);
              }
              if (predicate && !predicate(err)) {
                throw new Error(`the thrown ${describeValue(err)} does not match the predicate`);
              }
            } else if (classOrPredicate && !classOrPredicate(err)) {
              throw new Error(`the thrown ${describeValue(err)} does not match the predicate`);
            }
            return err as never;
          }
          throw new Error(`expected decide to throw, but it decided ${describeValue(produced)}`);
        },
      };
      return self;
    },
  });
}

/**
 * `DeciderSpecification.for(decider)` returns `given`; `DeciderSpecification(decider).given` is the same function
 * (the shape of the helper in @tracker/contracts).
 */
export const DeciderSpecification = Object.assign(
  <State, Command, Event extends DecidedEvent>(decider: Decider<State, Command, Event>) => ({ given: given(decider) }),
  { for: given },
);
