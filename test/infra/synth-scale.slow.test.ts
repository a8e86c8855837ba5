/**
 * The CDK app at scale (slow project: `npm run test:slow`, run by .ci/run after `npm test`): 200
 * generated DAGs split into stacks under CloudFormation's limits. One synth of 200 state machines
 * and their Lambdas takes ~12 s on the 2-core machine and exercises no path the examples'
 * synth (synth.test.ts) does not, except the stack split.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Stack } from 'aws-cdk-lib';
import { App, CfnResource } from 'aws-cdk-lib';
import { synthesizeProject } from '../../infra/synth.ts';
import { CFN_MAX_RESOURCES, CFN_MAX_TEMPLATE_BYTES } from '../../infra/updraft-app.ts';
import { writeSyntheticProject } from '../../src/util/synthetic-project.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const TMP = path.join(REPO, 'test', `.tmp-synth-scale-${process.pid}`);

afterAll(async () => {
  const { rm } = await import('node:fs/promises');
  await rm(TMP, { recursive: true, force: true });
});

describe('200 DAGs', () => {
  it('split into stacks that each stay under 500 resources and 1 MB of template', async () => {
    const root = await writeSyntheticProject(path.join(TMP, 'scale'), 200);
    const app = new App({
      outdir: path.join(TMP, 'out-scale'),
      builtinCloudFormationValidation: false,
    });
    const result = await synthesizeProject(app, {
      root,
      environment: 'prod',
      placementDir: false,
      bundleDir: path.join(TMP, 'bundles-scale'),
      nag: false,
    });
    const assembly = app.synth();
    expect(result.dagStacks.length).toBeGreaterThan(1);
    expect(Object.keys(result.placement)).toHaveLength(200);
    for (const stack of [result.platform, ...result.dagStacks]) {
      const resources = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length;
      const bytes = statSync(path.join(assembly.directory, (stack as Stack).templateFile)).size;
      expect(resources, stack.stackName).toBeLessThan(CFN_MAX_RESOURCES);
      expect(bytes, stack.stackName).toBeLessThan(CFN_MAX_TEMPLATE_BYTES);
    }
    // Every DAG of one file shares that file's single bundle asset.
    expect([...result.bundles.keys()].filter((k) => k.startsWith('dag-'))).toEqual([
      'dag-synthetic',
    ]);
  }, 240_000);
});
