/**
 * @module infra/synth
 * From a project folder to a CDK app: the DAGs loaded and validated (errors stop here, with the
 * messages `updraft validate` prints), the Lambdas bundled, the stacks built with the stable
 * placement of `infra/placement.<env>.json`, and cdk-nag attached. `infra/app.ts` calls this; the
 * tests and `bench/synth.ts` call it with their own project folders.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { formatProblem } from '../src/problems.ts';
import { loadProject } from '../src/loader/load-project.ts';
import { compileDag, type CompileResult } from '../src/compiler/index.ts';
import { ConfigError } from '../src/errors.ts';
import { parseEnvironment, type Environment } from '../src/runtime/env.ts';
import { launchSpecOf } from '../src/runtime/launch.ts';
import type { DatasetLaunchSpec } from '../src/runtime/dataset-launch.ts';
import { notifies, notifySpecOf } from '../src/runtime/notify-due.ts';
import {
  bundleAll,
  dagBundleName,
  dagEntrySource,
  launcherEntrySource,
  recorderEntrySource,
  type Bundle,
} from './bundle.ts';
import { addNagChecks } from './nag.ts';
import { buildUpdraftApp, type Placement, type UpdraftAppResult } from './updraft-app.ts';

export interface SynthOptions {
  /** The DAG folder, relative to root. @default 'dags' */
  readonly dagsDir?: string;
  readonly root: string;
  /** Where bundles are written. @default <root>/.updraft/cdk-bundles */
  readonly bundleDir?: string;
  /** Where the placement file lives. @default <root>/infra; `false`: neither read nor written. */
  readonly placementDir?: string | false;
  /** @default from the app's context `env`, else 'dev' */
  readonly environment?: Environment;
  /** @default true */
  readonly nag?: boolean;
}

export interface SynthResult extends UpdraftAppResult {
  readonly environment: Environment;
  readonly bundles: ReadonlyMap<string, Bundle>;
}

export async function synthesizeProject(app: App, options: SynthOptions): Promise<SynthResult> {
  const environment =
    options.environment ?? parseEnvironment(app.node.tryGetContext('env') ?? 'dev');
  const dagsDir = options.dagsDir ?? 'dags';
  const loaded = await loadProject(dagsDir, { root: options.root });
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const list = errors.map((p) => formatProblem(p, { color: false })).join('\n');
    throw new ConfigError(
      `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${dagsDir}/ — nothing was synthesized:\n${list}\n    ↳ fix them (npx updraft validate shows the same), then synthesize again`,
    );
  }
  const files = [...new Set(loaded.dags.map((d) => d.file))].sort();
  // Compiled once: the task runner bundles carry the manifests, the stacks the definitions.
  const compiled = new Map<string, CompileResult>(
    loaded.dags.map((d) => [d.ir.id, compileDag(d.ir)]),
  );
  const datasetConsumers = loaded.dags.flatMap((d) =>
    d.ir.schedule.kind === 'datasets'
      ? [launchSpecOf(d.ir, compiled.get(d.ir.id)!.manifest) as DatasetLaunchSpec]
      : [],
  );
  // The DAGs whose runs notify or have a deadline: the recorder sends for them.
  const notifySpecs = Object.fromEntries(
    loaded.dags
      .map((d) => notifySpecOf(d.ir))
      .filter((spec) => notifies(spec) || spec.deadlineSeconds !== undefined)
      .map((spec) => [spec.dagId, spec]),
  );
  const manifestsOf = (file: string) =>
    loaded.dags.filter((d) => d.file === file).map((d) => compiled.get(d.ir.id)!.manifest);
  const bundles = await bundleAll(
    [
      ...files.map((f) => ({
        name: dagBundleName(f),
        source: dagEntrySource(path.resolve(options.root, f), manifestsOf(f)),
      })),
      { name: 'launcher', source: launcherEntrySource() },
      { name: 'recorder', source: recorderEntrySource(datasetConsumers, notifySpecs) },
    ],
    { outDir: options.bundleDir ?? path.join(options.root, '.updraft', 'cdk-bundles') },
  );
  const dir = (name: string) => bundles.get(name)!.dir;
  const placementFile =
    options.placementDir === false
      ? undefined
      : path.join(
          options.placementDir ?? path.join(options.root, 'infra'),
          `placement.${environment}.json`,
        );
  const previous = placementFile ? await readPlacement(placementFile) : {};
  const httpConnections = app.node.tryGetContext('updraft:httpConnections') as
    | Record<string, string>
    | undefined;
  const athenaResultLocations = app.node.tryGetContext('updraft:athenaResultLocations') as
    | Record<string, string>
    | undefined;
  const result = buildUpdraftApp(app, {
    environment,
    dags: loaded.dags.map((d) => ({
      ir: d.ir,
      codeDir: dir(dagBundleName(d.file)),
      compiled: compiled.get(d.ir.id)!,
    })),
    platformCode: { launcher: dir('launcher'), recorder: dir('recorder') },
    placement: previous,
    ...(httpConnections && { httpConnections }),
    ...(athenaResultLocations && { athenaResultLocations }),
  });
  if (
    placementFile &&
    JSON.stringify(sorted(result.placement)) !== JSON.stringify(sorted(previous))
  ) {
    await mkdir(path.dirname(placementFile), { recursive: true });
    await writeFile(placementFile, `${JSON.stringify(sorted(result.placement), null, 2)}\n`);
  }
  if (options.nag ?? true) addNagChecks(app);
  return { ...result, environment, bundles };
}

async function readPlacement(file: string): Promise<Placement> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Placement;
  } catch (error) {
    throw new ConfigError(
      `${file} is not valid JSON (${(error as Error).message}); restore it from git — it records which stack each DAG is deployed in`,
    );
  }
}

function sorted(p: Placement): Placement {
  return Object.fromEntries(Object.entries(p).sort(([a], [b]) => a.localeCompare(b)));
}
