/**
 * @module engine/payload-meter
 * Step Functions' payload limit on a running machine: a Task, Map or Parallel state whose output
 * is over the limit fails the run, and so does a Parallel's or Map's result array (its branches'
 * or iterations' outputs together), which AWS measures before the state's ResultSelector runs.
 * State outputs are bounded incrementally (engine/document-size); result arrays are summed as
 * their items arrive.
 */
import { ERROR_NAMES, type State } from '../compiler/contract.ts';
import type { ErrorInfo } from '../store/types.ts';
import { DocumentSizes } from './document-size.ts';

export class PayloadMeter {
  readonly #states: ReadonlyMap<string, State>;
  readonly #sizes: DocumentSizes;
  readonly #limit: number;
  /** Per Parallel/Map state being run: the bytes of its result array so far. */
  readonly #results = new Map<string, number>();

  /** @param limitBytes Step Functions' limit on a state's input or output. */
  constructor(states: ReadonlyMap<string, State>, limitBytes: number) {
    this.#states = states;
    this.#sizes = new DocumentSizes(states);
    this.#limit = limitBytes;
  }

  /** A state is entered: a Parallel or Map starts a new result array. */
  entered(stateName: string): void {
    this.#results.delete(stateName);
  }

  /** Bytes of the result array a Parallel or Map state is building: `[` + items + commas + `]`. */
  resultItem(stateName: string, type: 'Map' | 'Parallel', output: unknown): ErrorInfo | undefined {
    const bytes =
      (this.#results.get(stateName) ?? 1) + Buffer.byteLength(JSON.stringify(output) ?? 'null') + 1;
    this.#results.set(stateName, bytes);
    if (bytes <= this.#limit) return undefined;
    const kib = (bytes / 1024).toFixed(0);
    const limit = `${this.#limit / 1024} KiB`;
    return {
      error: ERROR_NAMES.dataLimitExceeded,
      cause:
        type === 'Parallel'
          ? `the branches of Parallel state "${stateName}" returned over ${kib} KiB together, over Step Functions' ${limit} limit for a state's result (counted before its ResultSelector). Make the tasks in these branches return less: select fields, or write the data to S3 and return its key.`
          : `the instances of Map state "${stateName}" returned over ${kib} KiB together, over Step Functions' ${limit} limit for a state's result (counted before its ResultSelector). Map over fewer items per run, or make each instance return less.`,
    };
  }

  /** A state exited with this output. */
  exited(stateName: string, output: unknown): ErrorInfo | undefined {
    const state = this.#states.get(stateName);
    this.#sizes.exited(stateName, output);
    if (
      !state ||
      (state.Type !== 'Task' && state.Type !== 'Map' && state.Type !== 'Parallel') ||
      output === undefined
    )
      return undefined;
    const bytes = this.#sizes.bytes(output, this.#limit);
    if (bytes <= this.#limit) return undefined;
    return {
      error: ERROR_NAMES.dataLimitExceeded,
      cause: `the output of state "${stateName}" is ${(bytes / 1024).toFixed(0)} KiB, over Step Functions' ${this.#limit / 1024} KiB limit for a state's input or output. Make the task return less (large outputs of function tasks go to the payload store automatically; operators' responses do not): select fields, or write the data to S3 and return its key.`,
    };
  }
}
