/**
 * The decider pattern (as in Emmett): pure functions, no I/O. `decide` turns a command and the current state into
 * new events or throws a DomainError; `evolve` folds an event into the state. libs/event-store runs deciders
 * against the store; tests run them against tables with {@link DeciderSpecification}.
 */
export interface DecidedEvent<TType extends string = string, TData = unknown> {
  type: TType;
  schemaVersion: number;
  data: TData;
  occurredAt?: string;
}

export interface Decider<State, Command, Event extends DecidedEvent = DecidedEvent> {
  initialState: () => State;
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
}

/**
 * Why a command was refused, in the users' words. `code` decides the HTTP answer: invalid-transition and
 * conflict → 409, unprocessable → 422, not-found → 404, invalid → 400.
 */
export class DomainError extends Error {
  constructor(
    readonly code: 'invalid-transition' | 'conflict' | 'unprocessable' | 'not-found' | 'invalid',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

type Expectation<Event> = {
  then(expected: Event[]): void;
  thenThrows(code: DomainError['code'], messageLike?: RegExp | string): void;
};

/**
 * given([events]).when(command).then([events]): the table-test helper for deciders. Framework-neutral: it throws
 * plain Errors with a readable diff so any test runner reports it.
 */
export function DeciderSpecification<State, Command, Event extends DecidedEvent>(
  decider: Decider<State, Command, Event>,
): { given(events: Event[]): { when(command: Command): Expectation<Event> } } {
  return {
    given(events) {
      return {
        when(command) {
          const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
          return {
            then(expected) {
              const actual = run();
              const a = JSON.stringify(actual, null, 2);
              const e = JSON.stringify(expected, null, 2);
              if (a !== e) throw new Error(`decided events differ\nexpected: ${e}\nactual:   ${a}`);
            },
            thenThrows(code, messageLike) {
              let produced: Event[];
              try {
                produced = run();
              } catch (err) {
                if (!(err instanceof DomainError)) throw err;
                if (err.code !== code) throw new Error(`expected a ${code} refusal, got ${err.code}: ${err.message}`);
                if (messageLike && !new RegExp(messageLike).test(err.message)) {
                  throw new Error(`refusal message "${err.message}" does not match ${messageLike}`);
                }
                return;
              }
              throw new Error(`expected a ${code} refusal, but decided ${JSON.stringify(produced)}`);
            },
          };
        },
      };
    },
  };
}
