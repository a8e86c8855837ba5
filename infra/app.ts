/**
 * The CDK app (`cdk.json` → here): `npx cdk synth|deploy|diff -c env=dev|staging|prod`.
 * Loads and validates every DAG in `dags/` (a DAG with errors stops the synth with the same
 * messages as `updraft validate`), bundles the Lambdas with esbuild, builds the platform and DAG
 * stacks, and runs cdk-nag's AwsSolutions checks on all of it. Needs no AWS credentials and
 * makes no lookups: the stacks are environment-agnostic.
 */
import { App } from 'aws-cdk-lib';
import { synthesizeProject } from './synth.ts';

const app = new App();
try {
  // UPDRAFT_DAGS: another DAG folder; UPDRAFT_PLACEMENT_DIR: where placement.<env>.json lives ('none': not kept).
  const placement = process.env.UPDRAFT_PLACEMENT_DIR;
  await synthesizeProject(app, {
    dagsDir: process.env.UPDRAFT_DAGS ?? 'dags',
    root: process.cwd(),
    ...(placement !== undefined &&
      placement !== '' && { placementDir: placement === 'none' ? false : placement }),
  });
} catch (error) {
  const e = error as Error;
  process.stderr.write(`✖ ${e.message}\n`);
  process.exit(1);
}
