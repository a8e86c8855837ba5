/**
 * @module ir/validate
 * Graph-level rules on a DAG's IR (`validateDag`) and across all DAGs of a project
 * (`validateProject`): duplicate ids, cycles, branches, mapping, setup/teardown, cross-DAG
 * references and pools. Every problem is collected; nothing throws.
 */
import type { DagIR, OperatorIR, Problem, TaskIR, ValueIR } from './types.ts';
import { ProblemCollector, didYouMean, type ProblemDetails } from './problems.ts';
import { adjacency, findCycles } from './graph.ts';

const where = (t: TaskIR): ProblemDetails => ({
  taskId: t.id,
  ...(t.source && { file: t.source }),
});

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a list of independent checks over one DAG, each a few lines, in the order problems are reported
export function validateDag(dag: DagIR, out: ProblemCollector): void {
  if (dag.tasks.length === 0) {
    out.error('no-tasks', 'has no tasks', {
      hint: 'create tasks inside the build function: dag(id, options, () => { extract(); })',
    });
    return;
  }

  const byId = new Map<string, TaskIR[]>();
  for (const t of dag.tasks) byId.set(t.id, [...(byId.get(t.id) ?? []), t]);
  for (const [id, list] of byId) {
    if (list.length > 1) {
      const places = list.map((t) => t.source).filter(Boolean);
      out.error(
        'duplicate-task-id',
        `task id "${id}" is used by ${list.length} tasks${places.length ? ` (${places.join(', ')})` : ''}`,
        {
          taskId: id,
          hint: 'give each task its own id; to run the same code twice, call the same task declaration twice (ids get __1, __2 …)',
        },
      );
    }
  }
  const groupIds = new Set<string>();
  for (const g of dag.groups) {
    if (groupIds.has(g.id))
      out.error('duplicate-group-id', `group id "${g.id}" is used by more than one group`, {
        hint: 'give each group its own id',
      });
    groupIds.add(g.id);
    if (byId.has(g.id))
      out.error('group-task-id-clash', `"${g.id}" is both a group id and a task id`, {
        hint: 'rename the group or the task',
      });
  }

  for (const cycle of findCycles(dag)) {
    const first = dag.tasks.find((t) => t.id === cycle[0]);
    out.error('cycle', `has a cycle: ${cycle.join(' → ')}`, {
      ...(first ? where(first) : { taskId: cycle[0]! }),
      hint: `a DAG cannot loop back; remove one of these dependencies (e.g. ${cycle.at(-2)} → ${cycle.at(-1)})`,
    });
  }

  const { downstream, upstream } = adjacency(dag);
  const tasks = new Map(dag.tasks.map((t) => [t.id, t]));
  for (const t of dag.tasks) {
    const down = downstream.get(t.id) ?? [];
    switch (t.body.kind) {
      case 'branch': {
        if (down.length === 0) {
          out.error(
            'branch-without-downstream',
            `branch "${t.id}" has no downstream tasks to choose from`,
            {
              ...where(t),
              hint: `connect the candidates after it: ${t.id}().then(a, b) — or chain(${t.id}, [a, b])`,
            },
          );
          break;
        }
        for (const choice of t.body.choices) {
          if (!down.includes(choice)) {
            out.error(
              'branch-target-not-downstream',
              `branch "${t.id}" may return "${choice}", which is not directly downstream of it${didYouMean(choice, down)}`,
              {
                ...where(t),
                hint: `a branch can only choose among its direct downstream tasks (${down.join(', ')}); connect "${choice}" after "${t.id}" or fix the id`,
              },
            );
          }
        }
        if (t.body.choices.length > 0) {
          for (const d of down) {
            if (!t.body.choices.includes(d)) {
              out.warn(
                'branch-never-chosen',
                `task "${d}" is directly downstream of branch "${t.id}" but not among its choices, so it is always skipped`,
                { ...where(t), hint: `add "${d}" to choices or connect it elsewhere` },
              );
            }
          }
        }
        break;
      }
      case 'short_circuit':
        if (down.length === 0)
          out.warn(
            'short-circuit-without-downstream',
            `short-circuit "${t.id}" has no downstream tasks, so it skips nothing`,
            where(t),
          );
        break;
      case 'sensor': {
        const check = t.body.sensor.check;
        if (check.kind === 's3_key') checkParameterValues(t, [check.bucket, check.key], out);
        if (check.kind === 'external_dag' && check.dagId === dag.id) {
          out.error(
            'sensor-waits-for-itself',
            `sensor "${t.id}" waits for a run of its own DAG "${dag.id}", which can never finish first`,
            { ...where(t), hint: 'wait for another DAG, or use a dependency inside this DAG' },
          );
        }
        break;
      }
      case 'operator':
        if (t.body.operator.kind === 'trigger_dag' && t.body.operator.dagId === dag.id) {
          out.error(
            'trigger-self',
            `task "${t.id}" triggers its own DAG "${dag.id}"${t.body.operator.wait ? ' and waits for it, which can never finish' : ', which loops forever'}`,
            where(t),
          );
        }
        if (t.body.operator.kind === 'ecs_task') checkEcsOverrides(t, t.body.operator, out);
        checkParameterValues(t, Object.values(t.body.operator), out);
        break;
      case 'function':
        break;
    }

    if (t.mapping) checkMapping(t, t.mapping.over, tasks, out);

    if (t.role?.kind === 'teardown') {
      if (t.role.setups.length === 0)
        out.error('teardown-without-setup', `teardown "${t.id}" names no setup tasks`, {
          ...where(t),
          hint: 'pass setups: [createCluster] — the setup tasks whose resources it releases',
        });
      for (const s of t.role.setups) {
        const setupTask = tasks.get(s);
        if (!setupTask)
          out.error(
            'unknown-task',
            `teardown "${t.id}" names unknown setup task "${s}"${didYouMean(s, tasks.keys())}`,
            where(t),
          );
        else if (setupTask.role?.kind !== 'setup')
          out.error(
            'teardown-setup-not-setup',
            `teardown "${t.id}" names "${s}" as a setup, but it was not declared with setup()`,
            { ...where(t), hint: `declare "${s}" with setup(...)` },
          );
      }
    }
    if (
      t.triggerRule !== 'all_success' &&
      (upstream.get(t.id) ?? []).length === 0 &&
      t.role?.kind !== 'teardown'
    ) {
      out.warn(
        'trigger-rule-without-upstream',
        `task "${t.id}" has trigger rule "${t.triggerRule}" but no upstream tasks, so the rule never applies`,
        where(t),
      );
    }
  }

  checkPools(dag.tasks, out);
}

/**
 * ECS container overrides name their container (only the account knows a task definition's
 * containers), and their environment is a list of names and values: an object the compiler can
 * see key by key, not a whole upstream output or run value.
 */
function checkEcsOverrides(
  t: TaskIR,
  op: Extract<OperatorIR, { kind: 'ecs_task' }>,
  out: ProblemCollector,
): void {
  if ((op.command || op.environment) && op.container === undefined) {
    out.error(
      'ecs-container-required',
      `ecsTask "${t.id}" overrides ${op.command ? 'the command' : 'the environment'} but names no container`,
      {
        ...where(t),
        path: 'container',
        hint:
          "name the container of the task definition to override: ecsTask('" +
          t.id +
          "', { container: 'app', ... })",
      },
    );
  }
  const env = op.environment;
  if (env && env.kind !== 'literal' && env.kind !== 'object') {
    const what =
      env.kind === 'output'
        ? `the output of task "${env.task}"`
        : env.kind === 'context'
          ? `the run value "${env.name}"`
          : `a ${env.kind === 'format' ? 'string template' : 'list'}`;
    out.error(
      'ecs-environment-not-object',
      `ecsTask "${t.id}" takes its environment from ${what}, which Step Functions cannot turn into ECS's list of names and values`,
      {
        ...where(t),
        path: 'environment',
        hint:
          env.kind === 'output'
            ? `name each variable: environment: { TABLE: ${env.task}().get('table'), DAY: runValues.ds }`
            : 'pass an object: environment: { NAME: value, … }, each value a string, run value, upstream output field or format`…`',
      },
    );
  }
  if (
    env?.kind === 'literal' &&
    (typeof env.value !== 'object' || env.value === null || Array.isArray(env.value))
  ) {
    out.error(
      'ecs-environment-not-object',
      `ecsTask "${t.id}" has environment ${JSON.stringify(env.value)}, not an object of names and values`,
      { ...where(t), path: 'environment', hint: "pass an object: environment: { STAGE: 'prod' }" },
    );
  }
}

const VALUE_KINDS = new Set(['literal', 'output', 'context', 'format', 'object', 'array']);
const isValue = (x: unknown): x is ValueIR =>
  typeof x === 'object' && x !== null && VALUE_KINDS.has((x as { kind?: unknown }).kind as string);

/**
 * Values the state machine builds itself (operator parameters, sensor keys) in intrinsic functions:
 * a template's holes and the items of a list with outputs in it must be run values, outputs or
 * literals (compiler/values renders them; it cannot render the rest).
 */
function checkParameterValues(t: TaskIR, fields: readonly unknown[], out: ProblemCollector): void {
  const refuse = (message: string) =>
    out.error('unsupported-parameter-value', message, {
      ...where(t),
      hint: 'build the value in a task and pass its output',
    });
  const scalar = (v: ValueIR) =>
    v.kind === 'output' ||
    v.kind === 'context' ||
    (v.kind === 'literal' && (v.value === null || typeof v.value !== 'object'));
  const walk = (v: ValueIR): void => {
    switch (v.kind) {
      case 'format':
        if (v.args.some((a) => a.kind !== 'output' && a.kind !== 'context' && a.kind !== 'literal'))
          refuse(
            `format template arguments must be run values, outputs or literals (${v.template})`,
          );
        return;
      case 'array':
        if (!v.items.every((i) => i.kind === 'literal') && !v.items.every(scalar))
          refuse('arrays mixing objects and outputs are not supported in operator parameters');
        return;
      case 'object':
        Object.values(v.fields).forEach(walk);
        return;
      default:
        return;
    }
  };
  for (const f of fields) if (isValue(f)) walk(f);
}

function checkMapping(
  t: TaskIR,
  over: ValueIR,
  tasks: ReadonlyMap<string, TaskIR>,
  out: ProblemCollector,
): void {
  const bad = (what: string) =>
    out.error('map-over-non-list', `task "${t.id}" is mapped over ${what}, which is not a list`, {
      ...where(t),
      hint: 'map over a list: the output of a task that returns an array, or a literal array',
    });
  // The compiler maps over one path in the state document: an upstream output or a literal list put there.
  const unsupported = () =>
    out.error(
      'map-over-non-list',
      `task "${t.id}" maps over a ${over.kind} value; map over an upstream output or a literal list`,
      {
        ...where(t),
        hint: 'return the list from one upstream task and map over its output',
      },
    );
  switch (over.kind) {
    case 'literal':
      if (!Array.isArray(over.value)) bad(`the value ${JSON.stringify(over.value)}`);
      break;
    case 'object':
      bad('an object');
      break;
    case 'format':
      bad('a string template');
      break;
    case 'context':
      if (over.name !== 'params') bad(`the run value "${over.name}"`);
      else unsupported();
      break;
    case 'array':
      // A list built from several outputs: a Map state reads its items from one path.
      unsupported();
      break;
    case 'output': {
      const source = tasks.get(over.task);
      if (!source || over.path.length > 0) break;
      const kind = source.body.kind;
      if (kind === 'branch') bad(`the output of branch "${source.id}" (the ids it chose)`);
      else if (kind === 'short_circuit')
        bad(`the output of short-circuit "${source.id}" (a boolean)`);
      else if (kind === 'sensor' && source.body.sensor.check.kind !== 'function')
        bad(`the output of sensor "${source.id}" (a boolean)`);
      else if (kind === 'operator' && !source.mapping)
        bad(`the output of ${source.body.operator.kind} task "${source.id}" (an object)`);
      break;
    }
  }
}

function checkPools(tasks: readonly TaskIR[], out: ProblemCollector): void {
  const slots = new Map<string, { slots: number; task: TaskIR }>();
  for (const t of tasks) {
    if (!t.pool) continue;
    const seen = slots.get(t.pool.name);
    if (!seen) slots.set(t.pool.name, { slots: t.pool.slots, task: t });
    else if (seen.slots !== t.pool.slots) {
      out.error(
        'pool-slots-conflict',
        `pool "${t.pool.name}" is declared with ${t.pool.slots} slots here but ${seen.slots} slots in task "${seen.task.id}"`,
        {
          ...where(t),
          hint: 'declare each pool once (const warehouse = pool(...)) in a shared module and import it',
        },
      );
    }
  }
}

/** Rules across all DAGs of a project: unique ids, references to other DAGs, pools, datasets. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a list of independent cross-DAG checks, each a few lines
export function validateProject(
  dags: readonly DagIR[],
  context: { readonly failedFiles?: readonly string[] } = {},
): Problem[] {
  const problems: Problem[] = [];
  const ids = new Map<string, DagIR[]>();
  for (const d of dags) ids.set(d.id, [...(ids.get(d.id) ?? []), d]);
  for (const [id, list] of ids) {
    if (list.length > 1) {
      const out = new ProblemCollector(list[1]!.file, id);
      out.error(
        'duplicate-dag-id',
        `DAG id "${id}" is declared ${list.length} times (${list.map((d) => d.source ?? d.file).join(', ')})`,
        {
          hint: 'DAG ids name state machines and schedules, so each must be unique across dags/; rename one of them',
        },
      );
      problems.push(...out.problems);
    }
  }

  const known = [...ids.keys()];
  const produced = new Set(dags.flatMap((d) => d.tasks.flatMap((t) => t.outlets)));
  for (const d of dags) {
    const out = new ProblemCollector(d.file, d.id);
    for (const t of d.tasks) {
      const ref =
        t.body.kind === 'operator' && t.body.operator.kind === 'trigger_dag'
          ? { dagId: t.body.operator.dagId, what: 'triggers' }
          : t.body.kind === 'sensor' && t.body.sensor.check.kind === 'external_dag'
            ? { dagId: t.body.sensor.check.dagId, what: 'waits for' }
            : undefined;
      const check = t.body.kind === 'sensor' ? t.body.sensor.check : undefined;
      const target =
        check?.kind === 'external_dag' && check.taskId !== undefined
          ? ids.get(check.dagId)?.[0]
          : undefined;
      if (
        check?.kind === 'external_dag' &&
        check.taskId !== undefined &&
        target &&
        !target.tasks.some((u) => u.id === check.taskId)
      ) {
        const theirs = target.tasks.map((u) => u.id);
        out.error(
          'unknown-task',
          `sensor "${t.id}" waits for task "${check.taskId}" of DAG "${check.dagId}", which has no such task${didYouMean(check.taskId, theirs)}`,
          {
            ...where(t),
            path: 'taskId',
            hint: `use one of the tasks of "${check.dagId}" (${theirs.join(', ')}), with its group prefix (group.task); or leave taskId out to wait for the whole run`,
          },
        );
      }
      if (ref?.dagId && !ids.has(ref.dagId)) {
        const failed = context.failedFiles ?? [];
        if (failed.length > 0) {
          out.warn(
            'unknown-dag',
            `task "${t.id}" ${ref.what} DAG "${ref.dagId}", which is not among the DAGs that loaded${didYouMean(ref.dagId, known)}; it may be in ${failed.join(', ')}, which failed to load`,
            {
              ...where(t),
              hint: 'fix the file that failed to load first',
            },
          );
        } else {
          out.error(
            'unknown-dag',
            `task "${t.id}" ${ref.what} DAG "${ref.dagId}", which is not declared in this project${didYouMean(ref.dagId, known)}`,
            {
              ...where(t),
              hint: `known DAGs: ${known.join(', ')}`,
            },
          );
        }
      }
    }
    if (d.schedule.kind === 'datasets') {
      for (const uri of d.schedule.datasets) {
        if (!produced.has(uri))
          out.warn(
            'dataset-never-produced',
            `is scheduled on dataset "${uri}", but no task in this project lists it in outlets`,
            {
              path: 'schedule',
              hint: 'add it to the outlets of the task that writes it, or the DAG only runs when triggered by hand',
            },
          );
      }
    }
    problems.push(...out.problems);
  }

  // Pools are shared across DAGs: one name, one size. (Conflicts inside a DAG: validateDag.)
  const pools = new Map<string, { slots: number; dagId: string; taskId: string }>();
  for (const d of dags) {
    for (const t of d.tasks) {
      if (!t.pool) continue;
      const seen = pools.get(t.pool.name);
      if (!seen) pools.set(t.pool.name, { slots: t.pool.slots, dagId: d.id, taskId: t.id });
      else if (seen.slots !== t.pool.slots && seen.dagId !== d.id) {
        const out = new ProblemCollector(d.file, d.id);
        out.error(
          'pool-slots-conflict',
          `pool "${t.pool.name}" is declared with ${t.pool.slots} slots here but ${seen.slots} slots in task "${seen.dagId} › ${seen.taskId}"`,
          {
            ...where(t),
            hint: 'declare each pool once (const warehouse = pool(...)) in a shared module and import it',
          },
        );
        problems.push(...out.problems);
      }
    }
  }
  return problems;
}
