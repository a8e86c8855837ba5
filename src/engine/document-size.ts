/**
 * @module engine/document-size
 * Step Functions fails a state whose output is over 256 KiB; the engine checks every Task, Map and
 * Parallel state's output as AWS would. Serialising the whole run document at each of them is
 * quadratic in the tasks (in a chain, each state's output holds every earlier task's record), so
 * this keeps an upper bound instead and serialises only when the bound could be over the limit.
 *
 * The bound holds because of how the compiler builds the document (compiler/document): it is
 * `{ run, t, done, err? }` (`run` and `done` constant during an execution), and every value under
 * `t.<key>` was written by one of these, each measured here when its state exits:
 * - a state whose ResultPath is `$.t.<key>`;
 * - the last state of a Parallel branch that returns only its own records (compiler/states/parallel
 *   `ownRecords`: ResultPath and OutputPath `$.t`, its output `{ "<key>": <record> }`; or a
 *   function task's Task state whose runner answers them, Parameters `b` (the branch's other
 *   records): after a failure its Catch writes the document, with the task's record at `t.<key>`);
 * - a Pass that rebuilds `t` (Parameters `t` or `t.$`: records of tasks decided without running,
 *   a retried group's attempt counters): every record of its output is measured.
 * Parallel states merge their branches' records without changing one. A document with any other
 * top-level field is measured exactly.
 */
import type { State } from '../compiler/contract.ts';

const RECORD_PATH = /^\$\.t\.([A-Za-z0-9_]+)$/;

export class DocumentSizes {
  /** The largest size each record key was written with, in bytes. */
  readonly #records = new Map<string, number>();
  /** Σ over every key ever written of `"key":` + its largest record + a comma. */
  #recordsTotal = 0;
  #err = 0;
  #run: number | undefined;
  #done: number | undefined;
  readonly #writes: ReadonlyMap<string, string>;
  /** States whose output is records by key (`own`) or a document whose `t` they rebuilt (`t`). */
  readonly #wholesale: ReadonlyMap<string, 'own' | 't'>;
  /** Task states whose runner answers the branch's own records (`b`), by the task's record key. */
  readonly #answers: ReadonlyMap<string, string>;

  constructor(states: ReadonlyMap<string, State>) {
    const writes = new Map<string, string>();
    const wholesale = new Map<string, 'own' | 't'>();
    const answers = new Map<string, string>();
    for (const [name, state] of states) {
      const {
        ResultPath: path,
        OutputPath: out,
        Parameters: params,
        Catch: catchers,
      } = state as {
        ResultPath?: unknown;
        OutputPath?: unknown;
        Parameters?: unknown;
        Catch?: readonly { ResultPath?: string }[];
      };
      const key = typeof path === 'string' ? RECORD_PATH.exec(path)?.[1] : undefined;
      const b = (params as { b?: unknown } | undefined)?.b;
      const answered = state.Type === 'Task' && typeof b === 'object' && b !== null;
      if (answered) {
        wholesale.set(name, 'own');
        // Its record's key where its Catch writes the error (`$.t.<key>.s`); '' for `$.err`.
        const own = /^\$\.t\.([A-Za-z0-9_]+)\.s$/.exec(catchers?.[0]?.ResultPath ?? '')?.[1];
        answers.set(name, own ?? '');
      } else if (key) writes.set(name, key);
      else if (path === '$.t' && out === '$.t') wholesale.set(name, 'own');
      else if (
        state.Type === 'Pass' &&
        params !== null &&
        typeof params === 'object' &&
        ('t' in params || 't.$' in params)
      )
        wholesale.set(name, 't');
    }
    this.#writes = writes;
    this.#wholesale = wholesale;
    this.#answers = answers;
  }

  /** Notes what the state that just exited wrote. Call for every state exit, in event order. */
  exited(stateName: string, output: unknown): void {
    if (output === null || typeof output !== 'object') return;
    const doc = output as Record<string, unknown>;
    const key = this.#writes.get(stateName);
    if (key !== undefined) {
      const rec = (doc.t as Record<string, unknown> | undefined)?.[key];
      if (rec !== undefined) this.#record(key, bytesOf(rec));
    }
    let wholesale = this.#wholesale.get(stateName);
    const answered = this.#answers.get(stateName);
    if (answered !== undefined && typeof doc.t === 'object' && doc.t !== null) {
      // Caught: the document, with the task's failure record (or the error at `err`).
      const rec = answered ? (doc.t as Record<string, unknown>)[answered] : undefined;
      if (rec !== undefined) this.#record(answered!, bytesOf(rec));
      wholesale = undefined;
    }
    const records = wholesale === 'own' ? doc : wholesale === 't' ? doc.t : undefined;
    if (records !== null && typeof records === 'object') {
      for (const [k, rec] of Object.entries(records))
        if (rec !== undefined) this.#record(k, bytesOf(rec));
    }
    if (wholesale === 'own') return;
    if (doc.err !== undefined) this.#err = Math.max(this.#err, bytesOf(doc.err));
  }

  /** The document's size in bytes, or a bound on it when that bound is within `limit`. */
  bytes(output: unknown, limit: number): number {
    const bound = this.#bound(output);
    return bound !== undefined && bound <= limit ? bound : bytesOf(output);
  }

  #record(key: string, bytes: number): void {
    const before = this.#records.get(key);
    if (before === undefined) {
      this.#records.set(key, bytes);
      this.#recordsTotal += Buffer.byteLength(key) + 4 + bytes; // "key": … ,
    } else if (bytes > before) {
      this.#records.set(key, bytes);
      this.#recordsTotal += bytes - before;
    }
  }

  #bound(output: unknown): number | undefined {
    if (output === null || typeof output !== 'object' || Array.isArray(output)) return undefined;
    const doc = output as Record<string, unknown>;
    for (const field in doc)
      if (field !== 'run' && field !== 't' && field !== 'err' && field !== 'done') return undefined;
    if (doc.t !== undefined && (doc.t === null || typeof doc.t !== 'object')) return undefined;
    // The run's values and what a resume hands back never change during an execution.
    if (doc.run !== undefined) this.#run ??= bytesOf(doc.run);
    if (doc.done !== undefined) this.#done ??= bytesOf(doc.done);
    // {"run":…,"t":{…},"err":…,"done":…}
    return 40 + (this.#run ?? 0) + this.#recordsTotal + this.#err + (this.#done ?? 0);
  }
}

function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}
