/**
 * @module runtime/dataset-extra
 * `ctx.datasetExtra(dataset, extra)`: the metadata a task attaches to the dataset event its
 * success records for one of its outlets (Airflow's `outlet_events[asset].extra`). Checked where
 * it is called, kept per try, written with the task's lineage (masked like its output).
 */
import type { TaskIR } from '../ir/types.ts';
import type { Dataset } from '../sdk/dataset.ts';
import { PermanentError } from '../errors.ts';

/** At most this much JSON per event: it rides in run records and every consumer's context. */
export const DATASET_EXTRA_MAX_BYTES = 4096;

export class DatasetExtras {
  readonly #task: TaskIR;
  readonly #extras = new Map<string, Readonly<Record<string, unknown>>>();

  constructor(task: TaskIR) {
    this.#task = task;
  }

  set(dataset: Dataset | string, extra: Readonly<Record<string, unknown>>): void {
    const { id, outlets } = this.#task;
    const uri = typeof dataset === 'string' ? dataset : (dataset as Dataset | undefined)?.uri;
    if (typeof uri !== 'string' || !outlets.includes(uri))
      throw new PermanentError(
        `task "${id}" called ctx.datasetExtra for ${JSON.stringify(uri)}, which is not one of its outlets (${outlets.length > 0 ? outlets.join(', ') : 'it has none'}); declare it: outlets: [dataset('${uri ?? 's3://bucket/path'}')]`,
      );
    const json =
      typeof extra === 'object' && extra !== null && !Array.isArray(extra)
        ? JSON.stringify(extra)
        : undefined;
    if (json === undefined)
      throw new PermanentError(
        `task "${id}" called ctx.datasetExtra for "${uri}" with ${Array.isArray(extra) ? 'an array' : typeof extra}; give a plain object, e.g. { rows: 1200 }`,
      );
    const bytes = Buffer.byteLength(json);
    if (bytes > DATASET_EXTRA_MAX_BYTES)
      throw new PermanentError(
        `task "${id}" attached ${bytes} bytes of extra to "${uri}"; at most ${DATASET_EXTRA_MAX_BYTES} bytes: keep counts, versions and keys there, and the data in the dataset`,
      );
    this.#extras.set(uri, JSON.parse(json) as Record<string, unknown>);
  }

  of(uri: string): Readonly<Record<string, unknown>> | undefined {
    return this.#extras.get(uri);
  }

  /** Every extra set, as [uri, extra] (what a task worker sends back with its result). */
  entries(): [string, Readonly<Record<string, unknown>>][] {
    return [...this.#extras];
  }
}
