/**
 * @module infra/updraft-app
 * The whole deployment of one environment: the platform stack and the DAG stacks, with DAGs
 * placed so no stack passes CloudFormation's limits (500 resources, 1 MB template). Placement is
 * stable: a DAG stays in the stack it was deployed in (the placement is kept in
 * `infra/placement.<env>.json`), because moving a resource with a fixed name between stacks
 * fails — the new stack cannot create what the old one still holds.
 */
import { CfnResource, Stack, Tags, type App } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { compileDag, PLACEHOLDERS, type CompileResult } from '../src/compiler/index.ts';
import { timeScheduleOf, type DagIR } from '../src/ir/types.ts';
import { InternalError } from '../src/errors.ts';
import { names, type Environment } from '../src/runtime/env.ts';
import { INLINE_DEFINITION_BYTES, UpdraftDag } from './dag-construct.ts';
import { poolsOf } from './pools.ts';
import { PlatformStack } from './platform-stack.ts';
import { platformRefs } from './refs.ts';
import { SETTINGS, type EnvironmentSettings } from './settings.ts';
import { notificationNeeds } from './notifications.ts';

/** CloudFormation's hard limits, and the share of them a DAG stack fills before the next one starts. */
export const CFN_MAX_RESOURCES = 500;
export const CFN_MAX_TEMPLATE_BYTES = 1_000_000;
export const STACK_BUDGET = { resources: 400, templateBytes: 800_000 } as const;

/** dagId → DAG stack number (1-based). */
export type Placement = Readonly<Record<string, number>>;

export interface AppDag {
  readonly ir: DagIR;
  /** Folder of its task runner bundle (`index.mjs`). */
  readonly codeDir?: string;
  /** Its compiled machine, when already compiled (the bundle's manifest came from it). @default compileDag(ir) */
  readonly compiled?: CompileResult;
}

export interface UpdraftAppOptions {
  readonly environment: Environment;
  readonly dags: readonly AppDag[];
  /** Folders of the launcher and recorder bundles. */
  readonly platformCode: { readonly launcher: string; readonly recorder: string };
  /** @default SETTINGS[environment] */
  readonly settings?: EnvironmentSettings;
  /** Where DAGs were deployed before (kept); new DAGs go to the first stack with room. */
  readonly placement?: Placement;
  readonly httpConnections?: Readonly<Record<string, string>>;
  /** Athena workgroup → its query result location, for Athena operators without `outputLocation`. */
  readonly athenaResultLocations?: Readonly<Record<string, string>>;
  /** @default STACK_BUDGET */
  readonly budget?: { readonly resources: number; readonly templateBytes: number };
}

export interface UpdraftAppResult {
  readonly platform: PlatformStack;
  readonly dagStacks: readonly Stack[];
  readonly placement: Placement;
  readonly compiled: ReadonlyMap<string, CompileResult>;
}

/** What one DAG adds to a stack: its resources and template bytes (an upper bound; resources are checked after building, bytes by the 200-DAG test). */
export function dagCost(
  ir: DagIR,
  compiled: CompileResult,
  settings: EnvironmentSettings,
): { resources: number; bytes: number } {
  const runner = compiled.manifest.substitutions.includes(PLACEHOLDERS.taskRunner);
  const timeBased = timeScheduleOf(ir.schedule) !== undefined;
  // Function + role + policy + log group; state machine + role + policy + log group; schedule;
  // two alarms; each part a state machine + role + policy.
  const resources =
    (runner ? 4 : 0) +
    4 +
    (timeBased ? 1 : 0) +
    (settings.alarms ? 2 : 0) +
    3 * compiled.parts.length;
  // A definition travels as one escaped JSON string, or as an S3 location when large
  // (dag-construct); the rest of a DAG's resources is about 12 KB, a part's role ~3 KB. The 1.2
  // keeps the estimate above what CDK writes (measured: the written template is ~9.5% bigger than
  // the bare sum, bench/synth.ts at 200 DAGs).
  const inline = (minified: string) =>
    minified.length > INLINE_DEFINITION_BYTES ? 2_000 : JSON.stringify(minified).length * 1.1;
  const bytes = Math.ceil(
    (inline(JSON.stringify(compiled.definition)) +
      12_000 +
      compiled.parts.reduce((n, p) => n + inline(p.minified) + 3_000, 0)) *
      1.2,
  );
  return { resources, bytes };
}

export function buildUpdraftApp(app: App, options: UpdraftAppOptions): UpdraftAppResult {
  const env = options.environment;
  const settings = options.settings ?? SETTINGS[env];
  const budget = options.budget ?? STACK_BUDGET;
  Tags.of(app).add('updraft:env', env);
  Tags.of(app).add('updraft:managed-by', 'updraft');

  const platform = new PlatformStack(app, names.platformStack(env), {
    stackName: names.platformStack(env),
    description: `Updraft ${env}: run store, payload bucket, launcher, recorder, alerts`,
    environment: env,
    settings,
    code: {
      launcher: lambda.Code.fromAsset(options.platformCode.launcher),
      recorder: lambda.Code.fromAsset(options.platformCode.recorder),
    },
    notifications: notificationNeeds(options.dags.map((d) => d.ir)),
    pools: poolsOf(options.dags.map((d) => d.ir)),
    terminationProtection: env === 'prod',
  });

  const compiled = new Map<string, CompileResult>();
  const costs = new Map<string, { resources: number; bytes: number }>();
  for (const d of [...options.dags].sort((a, b) => a.ir.id.localeCompare(b.ir.id))) {
    const c = d.compiled ?? compileDag(d.ir);
    compiled.set(d.ir.id, c);
    costs.set(d.ir.id, dagCost(d.ir, c, settings));
  }
  const placement = place([...costs.keys()], costs, options.placement ?? {}, budget);

  const stacks = new Map<number, Stack>();
  const stackFor = (n: number) => {
    let s = stacks.get(n);
    if (!s) {
      s = new Stack(app, names.dagStack(env, n), {
        stackName: names.dagStack(env, n),
        description: `Updraft ${env}: DAGs (group ${n})`,
        terminationProtection: env === 'prod',
      });
      s.addStackDependency(platform, 'the schedule group, table and launcher must exist first');
      stacks.set(n, s);
    }
    return s;
  };
  for (const d of options.dags) {
    const stack = stackFor(placement[d.ir.id]!);
    new UpdraftDag(stack, d.ir.id, {
      environment: env,
      settings,
      refs: platformRefs(stack, env),
      ir: d.ir,
      compiled: compiled.get(d.ir.id)!,
      // One Code per use: an asset belongs to one stack (DAGs of one file share the uploaded bundle).
      ...(d.codeDir && { code: lambda.Code.fromAsset(d.codeDir) }),
      ...(options.httpConnections && { httpConnections: options.httpConnections }),
      ...(options.athenaResultLocations && {
        athenaResultLocations: options.athenaResultLocations,
      }),
    });
  }
  const dagStacks = [...stacks.entries()].sort(([a], [b]) => a - b).map(([, s]) => s);
  for (const s of dagStacks) {
    const count = s.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length;
    if (count > CFN_MAX_RESOURCES)
      throw new InternalError(
        `stack ${s.stackName} has ${count} resources, over CloudFormation's ${CFN_MAX_RESOURCES}; the placement estimate is wrong`,
      );
  }
  return { platform, dagStacks, placement, compiled };
}

/**
 * DAG stack numbers: a placed DAG keeps its stack while that stack has room; the others, in id
 * order, go to the lowest-numbered stack with room (a new one when none has).
 */
export function place(
  ids: readonly string[],
  costs: ReadonlyMap<string, { resources: number; bytes: number }>,
  previous: Placement,
  budget: { resources: number; templateBytes: number },
): Record<string, number> {
  const used = new Map<number, { resources: number; bytes: number }>();
  const fits = (n: number, c: { resources: number; bytes: number }) => {
    const u = used.get(n) ?? { resources: 0, bytes: 0 };
    return (
      u.resources + c.resources <= budget.resources && u.bytes + c.bytes <= budget.templateBytes
    );
  };
  const put = (n: number, c: { resources: number; bytes: number }) => {
    const u = used.get(n) ?? { resources: 0, bytes: 0 };
    used.set(n, { resources: u.resources + c.resources, bytes: u.bytes + c.bytes });
  };
  const result: Record<string, number> = {};
  const pending: string[] = [];
  for (const id of ids) {
    const n = previous[id];
    const c = costs.get(id)!;
    if (n !== undefined && Number.isInteger(n) && n >= 1 && fits(n, c)) {
      put(n, c);
      result[id] = n;
    } else pending.push(id);
  }
  for (const id of pending) {
    const c = costs.get(id)!;
    if (c.resources > budget.resources || c.bytes > budget.templateBytes) {
      throw new InternalError(
        `DAG "${id}" alone is over a stack's budget (${c.resources} resources, ${c.bytes} bytes)`,
      );
    }
    let n = 1;
    while (!fits(n, c)) n++;
    put(n, c);
    result[id] = n;
  }
  return result;
}
