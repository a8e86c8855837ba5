/**
 * @module compiler/compile
 * The compiler's entry point: validated IR → ASL (JSONPath) + manifest. Pure and deterministic:
 * the same DAG gives byte-identical JSON. Resource ARNs never appear: placeholders (`${…}`) are
 * listed in the manifest for infra's DefinitionSubstitutions and the engine's local handlers.
 */
import type { DagIR } from '../ir/types.ts';
import { assertNever } from '../ir/types.ts';
import type { StateMachine } from './asl.ts';
import { Codegen } from './codegen.ts';
import { tasksOf } from './sp-tree.ts';
import type { Next, Scope } from './scope.ts';
import { planParts } from './parts.ts';
import type { PartMachine } from './states/part.ts';
import { DONE, recordsMergedWith, RUN } from './document.ts';
import { CompileContext } from './context.ts';
import { decompose, type SpNode, type SpResult } from './sp-decompose.ts';
import {
  analyze,
  inlineOutputLimit,
  MAPPED_OUTPUT_LIMIT_BYTES,
  type Analysis,
} from './analysis.ts';
import { DagDefinitionError } from '../errors.ts';
import type { Problem, ProblemCode } from '../problems.ts';
import { childTimerKey } from './link.ts';
import { LIMITS, placeholdersIn, type Manifest } from './contract.ts';
import { objectOf } from '../util/object-of.ts';

export type { Manifest, ManifestTask, StateRole } from './contract.ts';

export const COMPILER_VERSION = '1';

export interface CompileResult {
  readonly definition: StateMachine;
  /** The definition as JSON text, 2-space indented, as it ships. */
  readonly json: string;
  readonly manifest: Manifest;
  readonly structure: SpResult;
  readonly analysis: Analysis;
  /** Child state machines the DAG was cut into (compiler/parts); empty when it fits one. */
  readonly parts: readonly CompiledPart[];
}

export interface CompileOptions {
  /** Refuse DAGs over the definition or history limits. @default true */
  readonly enforceLimits?: boolean;
  /**
   * Cut the DAG into parts of at most this many tasks (compiler/parts), whatever its size.
   * @default - cut only a DAG over a state machine's limits, into parts that fit
   */
  readonly maxPartTasks?: number;
  /**
   * Every mapped task as a Distributed Map, even over a short list (a retried group's stay
   * inline): to try the distributed path locally. @default - only where compiler/map-plan says
   */
  readonly distributedMaps?: boolean;
}

export function compileDag(dag: DagIR, options: CompileOptions = {}): CompileResult {
  const durationsGiven = dag.tasks.some((t) => t.expectedDurationSeconds !== undefined);
  const structure = decompose({
    // With some expected durations given, a task without one counts as a minute; with none, all count 1.
    tasks: dag.tasks.map((t) => ({
      id: t.id,
      duration: t.expectedDurationSeconds ?? (durationsGiven ? 60 : 1),
    })),
    edges: dag.edges,
    clusters: dag.groups
      .filter((g) => g.retry)
      .map((g) => ({
        id: g.id,
        ...(g.parent && { parent: g.parent }),
        members: dag.tasks
          .filter((t) => t.group === g.id || t.group?.startsWith(`${g.id}.`))
          .map((t) => t.id),
      })),
  });
  // A DAG this large is over 1 MiB whatever its shape (a task is ≥ 0.7 KiB): cut it at once.
  const surelyOver = options.maxPartTasks === undefined && dag.tasks.length > SURELY_OVER_TASKS;
  let made = generate(dag, structure.tree, surelyOver ? PART_TASKS : options.maxPartTasks, options);
  // Over a machine's limits: cut into parts (compiler/parts), smaller until every machine fits.
  let maxTasks = options.maxPartTasks ?? firstPartSize(dag, made.analysis);
  while (
    overLimits(made.analysis) &&
    maxTasks >= 2 &&
    made.ctx.retriedGroups.length === 0 &&
    dag.tasks.length > 1
  ) {
    made = generate(dag, structure.tree, maxTasks, options);
    maxTasks = Math.floor(maxTasks / 2);
  }
  if (options.enforceLimits !== false) refuseOverLimits(dag, made.analysis);
  const { definition, manifest, analysis, parts } = made;
  let json: string | undefined;
  return {
    definition,
    get json() {
      json ??= `${JSON.stringify(definition, null, 2)}\n`;
      return json;
    },
    manifest,
    structure,
    analysis,
    parts,
  };
}

/** Over this many tasks a DAG is cut without first compiling it whole (bench/lean.ts: ≥ 0.7 KiB a task). */
const SURELY_OVER_TASKS = 1500;
/** Tasks of a part in that first cut: ~600 KiB at the 1 KiB a task most shapes take. */
const PART_TASKS = 600;

/** Tasks per part for a first cut: the share of the DAG that fits the tightest limit, with room. */
function firstPartSize(dag: DagIR, a: Analysis): number {
  const biggest = Math.max(a.definition.bytes, ...a.parts.map((p) => p.bytes));
  const tasks = a.parts.length > 0 ? PART_TASKS : dag.tasks.length;
  const share = Math.min(
    (0.7 * a.definition.limitBytes) / Math.max(1, biggest),
    (0.7 * a.history.limit) / Math.max(1, a.history.worstCase),
  );
  return Math.max(2, Math.floor(tasks * Math.min(1, share)));
}

function overLimits(a: Analysis): boolean {
  return (
    [a.definition.bytes, ...a.parts.map((p) => p.bytes)].some((b) => b > a.definition.limitBytes) ||
    a.history.worstCase > a.history.limit
  );
}

interface Generated {
  readonly ctx: CompileContext;
  readonly definition: StateMachine;
  readonly minified: string;
  readonly manifest: Manifest;
  readonly analysis: Analysis;
  readonly parts: readonly CompiledPart[];
}

/** States, manifest and analysis of the DAG, cut into parts of at most `maxPartTasks` tasks when given. */
function generate(
  dag: DagIR,
  tree: SpNode,
  maxPartTasks: number | undefined,
  options: CompileOptions,
): Generated {
  const ctx = new CompileContext(dag, options);
  const plan =
    maxPartTasks === undefined ? { tree, parts: [] } : planParts(tree, Math.max(1, maxPartTasks));
  recordOrder(plan.tree, [], ctx.recordedBefore);
  const cg = new Codegen(ctx, plan.parts);
  const top = cg.newScope();
  let start: Next;
  try {
    start = cg.proceed(plan.tree, top, new Map(), new Map(), (known, pending) =>
      cg.final(top, known, pending),
    );
  } catch (error) {
    // Code generation's depth is bounded along series (Codegen#series); a DAG nested thousands
    // of levels deep could still exhaust the stack.
    if (error instanceof RangeError) {
      throw refusal(
        dag,
        'chain-too-long',
        `DAG "${dag.id}" is too deeply nested to compile (${dag.tasks.length} tasks). Split it: move a part into its own DAG and start it with triggerDag().`,
      );
    }
    throw error;
  }
  if (ctx.retriedGroups.length > 0) start = countersFirst(ctx, cg, top, start as string);
  const body = top.toMachine(start);
  const definition: StateMachine = {
    Comment: `Updraft DAG ${dag.id} (compiler ${COMPILER_VERSION})`,
    StartAt: body.StartAt,
    States: body.States,
    ...(dag.runTimeoutSeconds !== undefined && { TimeoutSeconds: dag.runTimeoutSeconds }),
  };
  // Deployed minified (infra serializes it without whitespace); the indented text is made when asked for.
  const minified = JSON.stringify(definition);
  const parts = cg.partMachines.map((p) => compiledPart(dag, p));
  const manifest: Manifest = {
    dagId: dag.id,
    compilerVersion: COMPILER_VERSION,
    tasks: dag.tasks.map((t) => ({
      id: t.id,
      key: ctx.key(t.id),
      downstream: (ctx.downstream.get(t.id) ?? []).map((d) => ctx.key(d)),
      ...(t.body.kind === 'branch' && { branchKeeps: branchKeeps(ctx, t.id) }),
    })),
    states: objectOf(cg.stateTasks),
    substitutions: [
      ...new Set([...placeholdersIn(minified), ...parts.flatMap((p) => p.substitutions)]),
    ].sort(),
    timers: timersOf(dag, ctx),
    inlineOutputLimitBytes: inlineOutputLimit(dag.tasks.length),
    mappedOutputLimitBytes: MAPPED_OUTPUT_LIMIT_BYTES,
    ...(parts.length > 0 && { parts: parts.map((p) => p.id) }),
  };
  // A part's document: the records that crossed cuts (those the run's document keeps) and its own.
  const crossed = dag.tasks.length - cg.hidden.size;
  const analysis = analyze(definition, minified, manifest, dag, {
    parts,
    ...(ctx.distributedMaps && { distributedMaps: true }),
    ...(parts.length > 0 && {
      documentTasks: Math.min(
        dag.tasks.length,
        crossed + Math.max(...parts.map((p) => p.tasks.length)),
      ),
    }),
  });
  return { ctx, definition, minified, manifest, analysis, parts };
}

/** A part's state machine as it deploys (compiler/parts). */
export interface CompiledPart {
  /** `p1`, `p2` …: its placeholder is `${Part_p1}` in the parent. */
  readonly id: string;
  readonly definition: StateMachine;
  readonly minified: string;
  /** The definition as JSON text, 2-space indented. */
  readonly json: string;
  readonly substitutions: readonly string[];
  /** The tasks it runs (those of parts inside it too). */
  readonly tasks: readonly string[];
}

function compiledPart(dag: DagIR, p: PartMachine): CompiledPart {
  const definition: StateMachine = {
    Comment: `Updraft DAG ${dag.id}, part ${p.id} (compiler ${COMPILER_VERSION})`,
    StartAt: p.machine.StartAt,
    States: p.machine.States,
  };
  const minified = JSON.stringify(definition);
  let json: string | undefined;
  return {
    id: p.id,
    definition,
    minified,
    get json() {
      json ??= `${JSON.stringify(definition, null, 2)}\n`;
      return json;
    },
    substitutions: placeholdersIn(minified),
    tasks: p.tasks,
  };
}

/** Attempt counters of retried groups exist from the start, so every rule can read them. */
function countersFirst(ctx: CompileContext, cg: Codegen, top: Scope, start: string): string {
  const init = ctx.name('start');
  const counters = Object.fromEntries(
    ctx.retriedGroups.map((g) => [ctx.counterKey(g), { n: 0, wait: 0 }]),
  );
  top.add(init, {
    Type: 'Pass',
    Parameters: {
      'run.$': RUN,
      't.$': recordsMergedWith(JSON.stringify(counters)),
      'done.$': DONE,
    },
    Next: start,
  });
  cg.stateTasks.set(init, { tasks: [], role: 'retry' });
  return init;
}

/** Time sensors' timers, and those of the DAGs this one triggers (compiler/link). */
function timersOf(dag: DagIR, ctx: CompileContext): Manifest['timers'] {
  return [
    ...dag.tasks.flatMap((t) =>
      t.body.kind === 'sensor' && t.body.sensor.check.kind === 'time'
        ? [
            {
              key: ctx.key(t.id),
              afterIntervalEndSeconds: t.body.sensor.check.afterIntervalEndSeconds,
            },
          ]
        : [],
    ),
    // Timers of DAGs this one triggers, passed on to their runs (compiler/link).
    ...new Map(
      dag.tasks.flatMap((t) =>
        t.body.kind === 'operator' && t.body.operator.kind === 'trigger_dag'
          ? (t.body.operator.childTimers ?? []).map((c) => {
              const key = childTimerKey(
                (t.body as { operator: { dagId: string } }).operator.dagId,
                c.key,
              );
              return [key, { key, afterIntervalEndSeconds: c.afterIntervalEndSeconds }] as const;
            })
          : [],
      ),
    ).values(),
  ];
}

/** For each cluster: the tasks recorded before it is entered (earlier items of enclosing series). */
function recordOrder(
  node: SpNode,
  before: readonly string[],
  out: Map<string, readonly string[]>,
): void {
  switch (node.kind) {
    case 'task':
      return;
    case 'series': {
      let acc = [...before];
      for (const item of node.items) {
        recordOrder(item, acc, out);
        acc = [...acc, ...tasksOf(item)];
      }
      return;
    }
    case 'parallel':
      for (const b of node.branches) recordOrder(b, before, out);
      return;
    case 'cluster':
      out.set(node.id, before);
      recordOrder(node.body, before, out);
      return;
    default:
      assertNever(node, 'tree node');
  }
}

function branchKeeps(ctx: CompileContext, branchId: string): Record<string, string[]> {
  const direct = ctx.downstream.get(branchId) ?? [];
  const reaches = (from: string, to: string): boolean => {
    const stack = [...(ctx.downstream.get(from) ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (d === to) return true;
      if (!seen.has(d)) {
        seen.add(d);
        stack.push(...(ctx.downstream.get(d) ?? []));
      }
    }
    return false;
  };
  return Object.fromEntries(
    direct.map((d) => [
      ctx.key(d),
      direct.filter((x) => x !== d && reaches(x, d)).map((x) => ctx.key(x)),
    ]),
  );
}

/**
 * The cloud would refuse or fail these at run time: refuse them now, saying what to change. These
 * (with the group cycle of sp-clusters and the too-long chain above) are the compiler's only
 * DagDefinitionErrors: only compiling tells them, and the loader runs the compiler at validate time
 * and reports them as problems (loader/load-project). Anything else the compiler throws is an
 * InternalError: every other mistake is refused by the SDK and the validator first.
 */
function refuseOverLimits(dag: DagIR, a: Analysis): void {
  const bytes = Math.max(a.definition.bytes, ...a.parts.map((p) => p.bytes));
  if (bytes > a.definition.limitBytes) {
    throw refusal(
      dag,
      'definition-over-limit',
      `DAG "${dag.id}" compiles to ${(bytes / 1024).toFixed(0)} KiB of ASL, over Step Functions' 1 MiB definition limit. ` +
        'Split it: move a part into its own DAG and start it with triggerDag(), or reduce the number of tasks.',
    );
  }
  if (a.history.worstCase > a.history.limit) {
    throw refusal(
      dag,
      'history-over-limit',
      `DAG "${dag.id}" can produce up to ${a.history.worstCase.toLocaleString('en-US')} execution history events (every retry, sensor poke and group attempt), over Step Functions' limit of ${LIMITS.historyEvents.toLocaleString('en-US')}. ` +
        'Lower retry attempts, lengthen sensor poke intervals (or shorten their timeouts), or split the DAG with triggerDag().',
    );
  }
}

/** A limit only compiling finds, as the problem `updraft validate` reports and the error that carries it. */
function refusal(dag: DagIR, code: ProblemCode, message: string): DagDefinitionError {
  const problem: Problem = {
    code,
    severity: 'error',
    message,
    dagId: dag.id,
    ...(dag.source && { file: dag.source }),
  };
  return new DagDefinitionError(message, { problems: [problem] });
}

export type { SpNode };
