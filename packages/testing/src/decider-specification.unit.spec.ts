import { describe, expect, it } from 'vitest';
import { DeciderSpecification, decidedEvents, type Decider } from './decider-specification';

/** A counter that may not pass its limit: the smallest decider with an error. */
type Command = { type: 'Add'; by: number };
type Event = { type: 'Added'; by: number };
class OverLimit extends Error {}

const counter: Decider<Command, Event, number> = {
  decide: (command, total) => {
    if (total + command.by > 10) throw new OverLimit(`${total} + ${command.by} is over 10`);
    return command.by === 0 ? [] : [{ type: 'Added', by: command.by }];
  },
  evolve: (total, event) => total + event.by,
  initialState: () => 0,
};
const given = DeciderSpecification.for(counter);
const add = (by: number): Command => ({ type: 'Add', by });
const added = (by: number): Event => ({ type: 'Added', by });

describe('DeciderSpecification', () => {
  it('folds the given events before deciding, and compares the events decided', () => {
    given([added(4), added(5)])
      .when(add(1))
      .then([added(1)]);
    given([])
      .when(add(3))
      .then([expect.objectContaining({ by: 3 })]);
    expect(() =>
      given([])
        .when(add(3))
        .then([added(4)]),
    ).toThrow();
    expect(() => given([]).when(add(3)).then([])).toThrow();
  });

  it('tells a command that decides nothing', () => {
    given([added(2)])
      .when(add(0))
      .thenNothingHappened();
    expect(() => given([]).when(add(1)).thenNothingHappened()).toThrow();
  });

  it('checks an error by its class, a check, or both; and fails when nothing is thrown', () => {
    given([added(10)])
      .when(add(1))
      .thenThrows();
    given([added(10)])
      .when(add(1))
      .thenThrows(OverLimit);
    given([added(10)])
      .when(add(1))
      .thenThrows((error) => /over 10/.test(error.message));
    given([added(10)])
      .when(add(1))
      .thenThrows(OverLimit, (error) => expect(error.message).toBe('10 + 1 is over 10'));
    expect(() =>
      given([added(10)])
        .when(add(1))
        .thenThrows(TypeError),
    ).toThrow();
    expect(() =>
      given([added(10)])
        .when(add(1))
        .thenThrows(() => false),
    ).toThrow(/did not pass the check/);
    expect(() => given([]).when(add(1)).thenThrows()).toThrow(/expected to throw/);
  });

  it('builds a history from commands with the decider itself', () => {
    expect(decidedEvents(counter, [add(1), add(0), add(2)])).toEqual([added(1), added(2)]);
    expect(() => decidedEvents(counter, [add(6), add(6)])).toThrow(OverLimit);
  });
});
