/**
 * @module engine/distributed-map
 * Distributed Map states, which aws-local-stepfunctions does not run (it has no ItemReader,
 * ResultWriter, child executions or failure threshold): the engine lowers each one to a Task
 * state it answers itself, with Step Functions' semantics — the items read from the payload
 * store (ItemReader, a JSON array) or the state's input (ItemsPath), each run as a child
 * execution of the item processor with its own history and limits, at most MaxConcurrency at
 * once, the run stopped past ToleratedFailureCount/Percentage (States.ExceedToleratedFailureThreshold),
 * and the results written to the payload store as ResultWriter writes them (a manifest and
 * SUCCEEDED_n/FAILED_n files), the state's result `{ MapRunArn, ResultWriterDetails }`.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { JsonValue, State, StateMachine } from '../compiler/contract.ts';
import type { ObjectStore } from '../runtime/objects.ts';
import { stateError } from '../runtime/errors.ts';
import { valueAt } from '../runtime/args.ts';
import type { ExecutionResult } from './execution.ts';

type MapState = Extract<State, { Type: 'Map' }>;

/** What a lowered Distributed Map's Task state is answered with (its Parameters, evaluated). */
interface MapRunParams {
  readonly items?: unknown;
  readonly key?: string;
  readonly prefix: string;
  /** The ItemSelector's fields that do not read the item (evaluated against the state's input). */
  readonly shared: Readonly<Record<string, unknown>>;
  /** ToleratedFailurePercentagePath, read. */
  readonly tp?: unknown;
}

/** The resource a lowered Distributed Map names (never deployed: the engine answers it). */
export const LOWERED_MAP_RESOURCE = 'arn:aws:states:::updraft:distributedMap';

/**
 * Step Functions starts up to 10,000 child executions at once when MaxConcurrency is unset (and
 * ramps up to it); the engine keeps at most this many going at once in one process, to bound
 * its memory. Tasks run in the worker pool anyway, a few at a time; a lower MaxConcurrency holds.
 */
const LOCAL_CONCURRENCY = 256;

export interface LoweredMaps {
  readonly definition: StateMachine;
  /** The Distributed Map states by name, as compiled. */
  readonly maps: ReadonlyMap<string, MapState>;
}

/** The definition with each Distributed Map as a Task state the engine answers (`runMapRun`). */
export function lowerDistributedMaps(definition: StateMachine): LoweredMaps {
  // Once per parsed definition (the engine reuses one for every run of a compile result).
  let made = lowered.get(definition);
  if (!made) {
    made = lowerAll(definition);
    lowered.set(definition, made);
  }
  return made;
}

const lowered = new WeakMap<StateMachine, LoweredMaps>();

function lowerAll(definition: StateMachine): LoweredMaps {
  const maps = new Map<string, MapState>();
  const lower = (machine: StateMachine): StateMachine => ({
    ...machine,
    States: Object.fromEntries(
      Object.entries(machine.States).map(([name, state]): [string, State] => {
        if (state.Type === 'Parallel')
          return [name, { ...state, Branches: state.Branches.map(lower) }];
        if (state.Type !== 'Map') return [name, state];
        if (state.ItemProcessor.ProcessorConfig.Mode !== 'DISTRIBUTED')
          return [
            name,
            { ...state, ItemProcessor: { ...state.ItemProcessor, ...lower(state.ItemProcessor) } },
          ];
        maps.set(name, state);
        return [name, loweredTask(state)];
      }),
    ),
  });
  return { definition: lower(definition), maps };
}

function loweredTask(map: MapState): State {
  const shared: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries((map.ItemSelector ?? {}) as Record<string, JsonValue>))
    if (!(typeof v === 'string' && v.startsWith('$$.Map.Item.'))) shared[k] = v;
  const reader = map.ItemReader?.Parameters as Record<string, string> | undefined;
  const writer = map.ResultWriter?.Parameters as Record<string, string> | undefined;
  return {
    Type: 'Task',
    Resource: LOWERED_MAP_RESOURCE,
    Parameters: {
      ...(reader ? { 'key.$': reader['Key.$']! } : { 'items.$': map.ItemsPath ?? '$' }),
      ...(writer?.['Prefix.$']
        ? { 'prefix.$': writer['Prefix.$'] }
        : { prefix: writer?.Prefix ?? '' }),
      shared,
      ...(map.ToleratedFailurePercentagePath !== undefined && {
        'tp.$': map.ToleratedFailurePercentagePath,
      }),
    },
    // No timeout of its own (setTimeout's longest delay): a Map Run lasts as long as its children.
    TimeoutSeconds: 2_147_483,
    ...(map.ResultSelector !== undefined && { ResultSelector: map.ResultSelector }),
    ...(map.ResultPath !== undefined && { ResultPath: map.ResultPath as string }),
    ...(map.Catch && { Catch: map.Catch }),
    ...(map.Next !== undefined ? { Next: map.Next } : { End: true as const }),
  } as State;
}

export interface MapRunDeps {
  readonly objects: ObjectStore;
  /** Runs one child execution of the item processor. */
  readonly runChild: (
    processor: StateMachine,
    name: string,
    input: unknown,
    index: number,
  ) => Promise<ExecutionResult>;
  /** The execution's ARN (the Map Run's is made from it). */
  readonly executionArn: string;
}

/** What the results keep of a child execution (not its documents: thousands are kept until the end). */
interface ChildResult {
  readonly index: number;
  readonly name: string;
  readonly input: string;
  readonly status: ExecutionResult['status'];
  readonly output?: string;
  readonly error?: ExecutionResult['error'];
}

/** Runs one Map Run of a lowered Distributed Map and answers as the Map state's raw result. */
export async function runMapRun(
  stateName: string,
  map: MapState,
  params: MapRunParams,
  deps: MapRunDeps,
): Promise<unknown> {
  const items = await readItems(params, deps.objects);
  const id = randomUUID();
  const mapRunArn = `${deps.executionArn.replace(':execution:', ':mapRun:')}/${stateName}:${id}`;
  const total = items.length;
  const allowed = threshold(map, total, params.tp);
  const limit = pLimit(
    Math.min(
      LOCAL_CONCURRENCY,
      map.MaxConcurrency && map.MaxConcurrency > 0 ? map.MaxConcurrency : LOCAL_CONCURRENCY,
    ),
  );
  const selector = (map.ItemSelector ?? {}) as Record<string, JsonValue>;
  const results: ChildResult[] = [];
  const processor = processorOf(map);
  let failed = 0;
  let exceeded = false;
  await Promise.all(
    items.map((item, index) =>
      limit(async () => {
        // Past the threshold no child starts (those not started are PENDING in the results).
        if (exceeded) return;
        // Without an ItemSelector a child's input is its item, as on AWS.
        const input =
          map.ItemSelector === undefined ? item : childInput(selector, params.shared, item, index);
        const name = `${id}:${index}`;
        const result = await deps.runChild(processor, name, input, index);
        results.push({
          index,
          name,
          input: JSON.stringify(input),
          status: result.status,
          ...(result.status === 'success'
            ? { output: JSON.stringify(result.document) }
            : { error: result.error }),
        });
        if (result.status === 'failed' && ++failed > allowed) exceeded = true;
      }),
    ),
  );
  if (exceeded)
    throw stateError({
      error: 'States.ExceedToleratedFailureThreshold',
      cause: `The specified tolerated failure threshold was exceeded: ${failed} of ${total} child executions of the Map Run of state "${stateName}" failed`,
    });
  const bucket = String(
    (map.ResultWriter?.Parameters as { Bucket?: string } | undefined)?.Bucket ?? '',
  );
  const prefix = `${params.prefix ? `${params.prefix}/` : ''}${id}`;
  const key = await writeResults(deps.objects, prefix, mapRunArn, bucket, results);
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: key } };
}

function processorOf(map: MapState): StateMachine {
  const { ProcessorConfig: _config, ...machine } = map.ItemProcessor;
  return machine as StateMachine;
}

/** The items: a JSON array read from the store (ItemReader) or the input's list (ItemsPath). */
async function readItems(params: MapRunParams, objects: ObjectStore): Promise<unknown[]> {
  if (params.key !== undefined) {
    let items: unknown;
    try {
      items = JSON.parse(await objects.get(objects.refOf(params.key)));
    } catch (error) {
      throw stateError({
        error: 'States.ItemReaderFailed',
        cause: `the Distributed Map could not read its items from ${params.key}: ${(error as Error).message}`,
      });
    }
    if (!Array.isArray(items))
      throw stateError({
        error: 'States.ItemReaderFailed',
        cause: `the Distributed Map's items at ${params.key} are not a JSON array`,
      });
    return items;
  }
  if (!Array.isArray(params.items))
    throw stateError({
      error: 'States.Runtime',
      cause: "the Distributed Map's ItemsPath does not point to a JSON array",
    });
  return params.items;
}

/** Failed children tolerated (Step Functions fails the Map Run when more fail). */
function threshold(map: MapState, total: number, percentAtPath: unknown): number {
  if (map.ToleratedFailureCount !== undefined) return map.ToleratedFailureCount;
  if (map.ToleratedFailurePercentage !== undefined)
    return (map.ToleratedFailurePercentage / 100) * total;
  if (map.ToleratedFailurePercentagePath !== undefined) {
    if (typeof percentAtPath !== 'number' || percentAtPath < 0 || percentAtPath > 100)
      throw stateError({
        error: 'States.Runtime',
        cause: `ToleratedFailurePercentagePath ${map.ToleratedFailurePercentagePath} must point to a number from 0 to 100, got ${JSON.stringify(percentAtPath)}`,
      });
    return (percentAtPath / 100) * total;
  }
  return 0;
}

/** The child's input: the ItemSelector with the item and its index filled in, in its field order. */
function childInput(
  selector: Readonly<Record<string, JsonValue>>,
  shared: Readonly<Record<string, unknown>>,
  item: unknown,
  index: number,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(selector)) {
    const field = k.endsWith('.$') ? k.slice(0, -2) : k;
    if (v === '$$.Map.Item.Index') input[field] = index;
    else if (typeof v === 'string' && v.startsWith('$$.Map.Item.Value'))
      input[field] = valueAt(item, v.slice('$$.Map.Item.Value'.length).split('.').filter(Boolean));
    else input[field] = shared[field] ?? shared[k];
  }
  return input;
}

/** The results as ResultWriter writes them: SUCCEEDED_0.json, FAILED_0.json and the manifest; returns the manifest's key. */
async function writeResults(
  objects: ObjectStore,
  prefix: string,
  mapRunArn: string,
  bucket: string,
  results: readonly ChildResult[],
): Promise<string> {
  const byStatus = new Map<string, Record<string, unknown>[]>();
  for (const r of [...results].sort((a, b) => a.index - b.index)) {
    const status = r.status === 'success' ? 'SUCCEEDED' : 'FAILED';
    const entry: Record<string, unknown> = {
      ExecutionArn: `${mapRunArn.replace(':mapRun:', ':execution:')}:${r.name}`,
      Input: r.input,
      InputDetails: { Included: true },
      Name: r.name,
      Status: status,
      ...(status === 'SUCCEEDED'
        ? { Output: r.output, OutputDetails: { Included: true } }
        : { Error: r.error?.error ?? 'States.Runtime', Cause: r.error?.cause ?? '' }),
    };
    byStatus.set(status, [...(byStatus.get(status) ?? []), entry]);
  }
  const files: Record<string, { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  for (const [status, entries] of byStatus) {
    const key = `${prefix}/${status}_0.json`;
    const body = JSON.stringify(entries);
    await objects.put(key, body);
    files[status] = [{ Key: key, Size: Buffer.byteLength(body) }];
  }
  const manifestKey = `${prefix}/manifest.json`;
  await objects.put(
    manifestKey,
    JSON.stringify({ DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: files }),
  );
  return manifestKey;
}
