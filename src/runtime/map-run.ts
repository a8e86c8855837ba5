/**
 * @module runtime/map-run
 * A Distributed Map's results, collected into its mapped task's record. Step Functions' ResultWriter
 * leaves a manifest in the payload bucket (`<prefix>/<map run id>/manifest.json`) that lists result
 * files by child execution status; each file is a JSON array of child executions, with the
 * execution's input and output as JSON text (or its error and cause when it failed). The task
 * runner reads them (the collect state, compiler/states/distributed) and answers the record an
 * inline Map's ResultSelector would have made: the instances' outputs in item order, by reference
 * when they are many.
 */
import type { MappingIR } from '../ir/types.ts';
import { PermanentError } from '../errors.ts';
import { offloadList, type ObjectStore } from './objects.ts';
import type { Given, GivenEntry } from './resume.ts';

/** The manifest ResultWriter writes (the fields read here). */
export interface MapRunManifest {
  readonly ResultFiles: Readonly<
    Record<string, readonly { readonly Key: string; readonly Size?: number }[]>
  >;
}

/** One child execution in a result file (the fields read here). */
export interface MapRunEntry {
  readonly Status: string;
  /** The child's input, as JSON text (the Map's ItemSelector: `{ item, index, … }`). */
  readonly Input?: string;
  /** A succeeded child's output, as JSON text: the instance's answer `{ s, o, e? }`. */
  readonly Output?: string;
  readonly Error?: string;
  readonly Cause?: string;
}

interface Answer {
  readonly s: string;
  readonly o: unknown;
  readonly e?: { readonly Error: string; readonly Cause: string };
}

export interface CollectOptions {
  readonly objects: ObjectStore;
  /** The manifest's key in the payload bucket (ResultWriterDetails.Key). */
  readonly manifestKey: string;
  readonly taskId: string;
  readonly tolerated: MappingIR['toleratedFailures'];
  /** Where the outputs' list goes when it is long. */
  readonly listKey: string;
  readonly limits: { readonly bytes: number; readonly items: number };
  /**
   * A resumed run's earlier answers of the task's instances (runtime/resume): the Map Run ran
   * only the instances still to run, the others' answers are these.
   */
  readonly given?: GivenEntry | null;
}

/** The mapped task's record from its Map Run's results: `{ s: 'mapped', o, n, f, a, nf }`. */
export async function collectMapRun(options: CollectOptions): Promise<Record<string, unknown>> {
  const { objects, manifestKey, taskId } = options;
  const manifest = JSON.parse(await objects.get(objects.refOf(manifestKey))) as MapRunManifest;
  const answers = new Map<number, Answer>();
  for (const [status, files] of Object.entries(manifest.ResultFiles ?? {})) {
    for (const file of files) {
      const entries = JSON.parse(await objects.get(objects.refOf(file.Key))) as MapRunEntry[];
      for (const entry of entries) {
        const sent = JSON.parse(entry.Input ?? '{}') as {
          index?: unknown;
          pending?: unknown;
          item?: { i?: unknown };
        };
        // A pending list's instance (runtime/resume): its index in the whole list is its item's.
        const input = { index: sent.pending === true ? sent.item?.i : sent.index };
        if (typeof input.index !== 'number')
          throw new PermanentError(
            `the Distributed Map of task "${taskId}" wrote a ${status} result without its item's index (${manifestKey}); its child executions' input must keep the Map's ItemSelector`,
          );
        answers.set(input.index, answerOf(entry));
      }
    }
  }
  // The instances a resumed run handed back (they started no child execution this time).
  const earlier =
    options.given && 'g' in options.given && Array.isArray(options.given.g)
      ? (options.given.g as readonly (Given | null)[])
      : [];
  for (const [index, g] of earlier.entries()) {
    if (!g || answers.has(index)) continue;
    answers.set(
      index,
      'e' in g ? { s: 'failed', o: null, e: g.e } : { s: 'success', o: 'r' in g ? g.r : g.o },
    );
  }
  const n = answers.size;
  const ordered = [...answers.keys()].sort((a, b) => a - b);
  if (ordered.some((index, i) => index !== i))
    throw new PermanentError(
      `the Distributed Map of task "${taskId}" wrote results for ${n} items, not every index from 0 to ${n - 1} (${manifestKey})`,
    );
  const list = ordered.map((i) => answers.get(i)!);
  const failed = list.filter((a) => a.s === 'failed').length;
  const o = await offloadList(
    options.objects,
    options.listKey,
    list.map((a) => a.o ?? null),
    options.limits,
  );
  return {
    s: 'mapped',
    o,
    n,
    f: failed > allowedFailures(options.tolerated, n),
    a: list.some((a) => a.s === 'success'),
    // How many failed: within toleratedFailures the task succeeded all the same.
    nf: failed,
  };
}

/** How many failed instances of `n` a mapping tolerates (Step Functions' threshold: more fail the Map Run). */
export function allowedFailures(tolerated: MappingIR['toleratedFailures'], n: number): number {
  if (!tolerated) return 0;
  return 'count' in tolerated ? tolerated.count : (tolerated.percent / 100) * n;
}

function answerOf(entry: MapRunEntry): Answer {
  if (entry.Status === 'SUCCEEDED' && entry.Output !== undefined)
    return JSON.parse(entry.Output) as Answer;
  // A tolerant Map's instance fails its child execution (its Fail state carries the task's error).
  return {
    s: 'failed',
    o: null,
    e: {
      Error: entry.Error ?? 'States.Runtime',
      Cause: entry.Cause ?? `child execution ${entry.Status}`,
    },
  };
}
