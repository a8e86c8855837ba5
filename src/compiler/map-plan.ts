/**
 * @module compiler/map-plan
 * Where a mapped task's instances run, and why (`updraft explain`): an inline Map in the run's
 * execution, or a Distributed Map (compiler/states/distributed) whose instances are child
 * executions, reading a long list from the payload bucket. The task runner reads the same plan
 * to put long lists in the bucket (`bucketLists`); so this file imports nothing of the compiler.
 */
import type { DagIR, TaskIR } from '../ir/types.ts';
import { inRetriedGroup, retriedGroups } from '../ir/graph.ts';

/** Step Functions runs at most 40 instances of an inline Map at once. */
export const INLINE_MAP_CONCURRENCY = 40;

/**
 * The most items an inline Map takes: its result holds every instance's answer (an output of up
 * to the mapped output limit, 512 bytes, and its state) within half the 256 KiB document. A longer
 * list mapped over goes to the payload bucket, where a Distributed Map reads it.
 */
export const INLINE_MAP_ITEMS_MAX = 244;

export interface MapPlan {
  /** How a list in the state document is mapped. */
  readonly inDocument: 'INLINE' | 'DISTRIBUTED';
  /** Whether a list in the payload bucket (a long upstream output) is mapped by a Distributed Map reading it there. */
  readonly fromBucket: boolean;
  /** Why, in a sentence (`updraft explain`). */
  readonly why: string;
}

/** Where a mapped task's instances run, and why. */
export function mapPlan(task: TaskIR, inRetried: boolean, forced = false): MapPlan {
  const mapping = task.mapping!;
  const fromOutput = mapping.over.kind === 'output';
  const bucket = fromOutput
    ? `; a list of over ${INLINE_MAP_ITEMS_MAX} items (or over the inline output limit) is read from the payload bucket`
    : '';
  if (inRetried)
    return {
      inDocument: 'INLINE',
      fromBucket: false,
      why: `inline: it is in a retried group, which re-runs in one execution, so its list and results must fit the 256 KiB state document`,
    };
  if (forced)
    return {
      inDocument: 'DISTRIBUTED',
      fromBucket: fromOutput,
      why: `distributed: compiled with distributedMaps${bucket}`,
    };
  if (mapping.toleratedFailures)
    return {
      inDocument: 'DISTRIBUTED',
      fromBucket: fromOutput,
      why: `distributed: it tolerates failed instances (toleratedFailures), which a Distributed Map counts, starting no more past the threshold${bucket}`,
    };
  if (mapping.maxConcurrency > INLINE_MAP_CONCURRENCY)
    return {
      inDocument: 'DISTRIBUTED',
      fromBucket: fromOutput,
      why: `distributed: maxConcurrency ${mapping.maxConcurrency} is over the ${INLINE_MAP_CONCURRENCY} instances an inline Map runs at once${bucket}`,
    };
  if (fromOutput)
    return {
      inDocument: 'INLINE',
      fromBucket: true,
      why: `inline up to ${INLINE_MAP_ITEMS_MAX} items; a longer list goes to the payload bucket and a Distributed Map reads it there (an execution per item, results written back to the bucket)`,
    };
  return {
    inDocument: 'INLINE',
    fromBucket: false,
    why: 'inline: its list is written in the DAG',
  };
}

/** A path into a task's output (`ValueIR` output paths). */
type OutputPath = readonly (string | number)[];

/**
 * The lists the task runner may put in the payload bucket, by the task whose output holds them:
 * the paths mapped over by Distributed-capable tasks, where every task mapping that path reads
 * it from the bucket and no native operator reads the output (a service integration reads the
 * document as it is).
 */
export function bucketLists(ir: DagIR): ReadonlyMap<string, readonly OutputPath[]> {
  // Once per DAG: a task Lambda builds a runner (which asks) per invocation.
  let lists = listsOf.get(ir);
  if (!lists) {
    lists = findBucketLists(ir);
    listsOf.set(ir, lists);
  }
  return lists;
}

const listsOf = new WeakMap<DagIR, ReadonlyMap<string, readonly OutputPath[]>>();

function findBucketLists(ir: DagIR): ReadonlyMap<string, readonly OutputPath[]> {
  const retried = retriedGroups(ir);
  const inRetried = (t: TaskIR) => inRetriedGroup(t, retried);
  const operators = new Set(ir.tasks.filter((t) => t.body.kind === 'operator').map((t) => t.id));
  const readByOperator = new Set(
    ir.edges.filter((e) => e.kind === 'data' && operators.has(e.to)).map((e) => e.from),
  );
  const paths = new Map<string, Map<string, { path: OutputPath; bucket: boolean }>>();
  for (const t of ir.tasks) {
    const over = t.mapping?.over;
    if (over?.kind !== 'output') continue;
    const byPath = paths.get(over.task) ?? new Map();
    paths.set(over.task, byPath);
    const id = JSON.stringify(over.path);
    const bucket = mapPlan(t, inRetried(t)).fromBucket && !readByOperator.has(over.task);
    byPath.set(id, { path: over.path, bucket: bucket && (byPath.get(id)?.bucket ?? true) });
  }
  const out = new Map<string, OutputPath[]>();
  for (const [producer, byPath] of paths) {
    const lists = [...byPath.values()].filter((p) => p.bucket).map((p) => p.path);
    if (lists.length > 0) out.set(producer, lists);
  }
  return out;
}

/** Every mapped task's plan (`updraft explain`). */
export function mapPlans(
  ir: DagIR,
  distributedMaps = false,
): readonly ({ readonly task: string } & MapPlan)[] {
  const retried = retriedGroups(ir);
  const inRetried = (t: TaskIR) => inRetriedGroup(t, retried);
  return ir.tasks
    .filter((t) => t.mapping)
    .map((t) => ({ task: t.id, ...mapPlan(t, inRetried(t), distributedMaps) }));
}
