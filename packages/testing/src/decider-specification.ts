// Imported as `@topdog/testing/decider-specification`, not from the package's index: it needs
// vitest's `expect`, and the index is also loaded outside vitest (by the bench).
import { expect } from 'vitest';

/** A decider: what a command decides in a state, how an event changes the state, where it starts. */
export interface Decider<Command, Event, State> {
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;
/** Checks a thrown error: returning false, or failing an `expect` inside, fails the specification. */
type ErrorCheck<E extends Error> = (error: E) => boolean | void;

export interface DeciderThen<Event> {
  /** The command decides exactly these events, in order. Vitest's asymmetric matchers work inside. */
  then(expected: Event[]): void;
  /** The command decides no event. */
  thenNothingHappened(): void;
  /** The command throws (an instance of `type`, passing `check`, when given). */
  thenThrows(): void;
  thenThrows(check: ErrorCheck<Error>): void;
  thenThrows<E extends Error>(type: ErrorClass<E>, check?: ErrorCheck<E>): void;
}

/** `given(events).when(command).then(events)`: a decider tested by what it decides after a history. */
export type DeciderSpecification<Command, Event> = (given: Event[]) => { when: (command: Command) => DeciderThen<Event> };

const isErrorClass = (value: unknown): value is ErrorClass<Error> => typeof value === 'function' && (value === Error || value.prototype instanceof Error);

function specificationFor<Command, Event, State>(decider: Decider<Command, Event, State>): DeciderSpecification<Command, Event> {
  return (given) => ({
    when: (command) => {
      const decided = () => decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected) => expect(decided()).toEqual(expected),
        thenNothingHappened: () => expect(decided()).toEqual([]),
        thenThrows: (typeOrCheck?: ErrorClass<Error> | ErrorCheck<Error>, check?: ErrorCheck<Error>) => {
          let events: Event[];
          try {
            events = decided();
          } catch (error) {
            const [type, test] = isErrorClass(typeOrCheck) ? [typeOrCheck, check] : [undefined, typeOrCheck];
            if (type) expect(error).toBeInstanceOf(type);
            if (test) expect(test(error as Error), `the error did not pass the check: ${String(error)}`).not.toBe(false);
            return;
          }
          expect.unreachable(`the command was expected to throw; it decided ${JSON.stringify(events)}`);
        },
      };
    },
  });
}

/** Given/when/then tests of a decider, after emmett's `DeciderSpecification`. */
export const DeciderSpecification = { for: specificationFor };

/**
 * The events commands decide one after another, from the initial state: a history to give a
 * specification, built by the decider itself rather than written out by hand.
 */
export function decidedEvents<Command, Event, State>(decider: Decider<Command, Event, State>, commands: readonly Command[]): Event[] {
  let state = decider.initialState();
  const events: Event[] = [];
  for (const command of commands) {
    for (const event of decider.decide(command, state)) {
      events.push(event);
      state = decider.evolve(state, event);
    }
  }
  return events;
}
