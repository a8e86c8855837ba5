/**
 * @module engine/clock
 * The engine never reads the wall clock directly. A virtual clock (the default) runs at wall
 * speed but jumps over every wait the state machine would make (Wait states, sensor poke
 * intervals, retry delays), so a run that would take hours on AWS takes milliseconds locally
 * and its records still show the times AWS would. The real clock (`--real-time`) waits.
 */
export interface Clock {
  /** Milliseconds since the epoch, on this run's timeline. */
  now(): number;
  /** A wait of `ms` the state machine makes; the virtual clock skips it. */
  skip(ms: number): void;
  /** Move on to an absolute time, if it is later (Wait until a timestamp). */
  skipTo(epochMs: number): void;
  /** True when waits really wait. */
  readonly real: boolean;
  /** Milliseconds of waiting skipped so far: the clock runs this far ahead of the wall clock. */
  readonly skippedMs: number;
}

export class VirtualClock implements Clock {
  readonly real = false;
  #offset = 0;
  readonly #wall: () => number;
  constructor(wall: () => number = Date.now) {
    this.#wall = wall;
  }
  get skippedMs(): number {
    return this.#offset;
  }
  now(): number {
    return this.#wall() + this.#offset;
  }
  skip(ms: number): void {
    if (ms > 0) this.#offset += ms;
  }
  skipTo(epochMs: number): void {
    this.skip(epochMs - this.now());
  }
}

export class RealClock implements Clock {
  readonly real = true;
  readonly skippedMs = 0;
  now(): number {
    return Date.now();
  }
  skip(): void {}
  skipTo(): void {}
}
