/**
 * @module conformance/runners
 * Every way Updraft runs a DAG, behind one interface: `{ name, run(dag, options) → Outcome }`.
 * - `runMachine`: the compiled ASL on aws-local-stepfunctions with in-process task handlers
 *   (test/compiler/harness.ts), every machine checked with the AWS validators first.
 * - `engine`: the embedded engine as users see it, `runDag` from `updraft/testing` (an in-memory
 *   SQLite store, task code in process).
 * - `parts`: as `runMachine`, the DAG cut into parent and child state machines (compiler/parts).
 * - `distributed`: as `runMachine`, every mapped task a Distributed Map (for the groups that map).
 * An opt-in `aws` runner (deploy, start an execution, read the records back) would be a third
 * entry, added to `runners` only when its environment variable is set.
 */
import { fileURLToPath } from 'node:url';
import { runDag } from 'updraft/testing';
import { runDag as runOnMachine } from '../compiler/harness.ts';
import type { Run, RunnerName } from './case.ts';

export interface Runner {
  readonly name: RunnerName;
  readonly run: Run;
}

/** The logical date every case runs for; each runner derives the run values from it as the launcher does. */
const DATE = '2026-11-20T00:00:00.000Z';
/** A folder with no updraft.connections.json. */
const NO_PROJECT = fileURLToPath(new URL('.', import.meta.url));

export const runMachineRunner: Runner = {
  name: 'runMachine',
  run: (dag, options = {}) => runOnMachine(dag, { ...options, date: DATE }),
};

/**
 * The compiled ASL cut into parts of at most two tasks (compiler/parts): every case must hold the
 * same when the DAG runs as a parent and child state machines. Transitions differ (each part adds
 * its start and merge), and cases that count them say so.
 */
export const partsRunner: Runner = {
  name: 'parts',
  run: (dag, options = {}) => runOnMachine(dag, { ...options, date: DATE, maxPartTasks: 2 }),
};

/**
 * The compiled ASL with every mapped task a Distributed Map (compiler/states/distributed), run by
 * the engine's Map Run emulation (engine/distributed-map): each instance a child execution, the
 * results collected from the payload store. Run on the groups that map (mapping, resume).
 */
export const distributedRunner: Runner = {
  name: 'distributed',
  run: (dag, options = {}) => runOnMachine(dag, { ...options, date: DATE, distributedMaps: true }),
};

export const engineRunner: Runner = {
  name: 'engine',
  run: (dag, options = {}) => {
    if (options.done)
      throw new Error(
        'the engine runner cannot resume an execution: mark the case unsupported on "engine"',
      );
    return runDag(dag, {
      date: DATE,
      // No connections from the environment or a connections file: cases do not read the user's setup.
      env: {},
      projectDir: NO_PROJECT,
      ...(options.params && { conf: options.params }),
      ...(options.overrides && { overrides: options.overrides }),
    });
  },
};

export const runners: readonly Runner[] = [runMachineRunner, partsRunner, engineRunner];
