/**
 * @module cli/target
 * The `--target local|aws|localstack`, `--env` and `--region` options the run commands share,
 * and how a command reaches its backend: the local session (`session.ts`) or a deployed
 * environment (`src/cloud`, loaded only when a cloud target is named, so local commands start as
 * fast as before). Commands that exist only on the embedded engine say so for a cloud target
 * instead of quietly running locally.
 */
import { Option, type Command } from 'commander';
import {
  resolveTarget,
  type CloudTarget,
  type Target,
  type TargetOptions,
} from '../cloud/target.ts';
import type { Cloud } from '../cloud/context.ts';
import { UsageError } from './errors.ts';

export type { CloudTarget, Target, TargetOptions };

/**
 * Adds `--target`, `--env` and `--region`. Commands that run only locally take them hidden, so
 * `--target aws` gets a message saying what to do instead of "unknown option".
 */
export function addTargetOptions(
  command: Command,
  options: { readonly hidden?: boolean } = {},
): Command {
  const hidden = options.hidden === true;
  return command
    .addOption(
      new Option(
        '--target <target>',
        'where: local (the embedded engine; default), aws, or localstack',
      ).hideHelp(hidden),
    )
    .addOption(
      new Option(
        '--env <env>',
        'with --target aws|localstack: the deployment environment, dev (default), staging or prod',
      ).hideHelp(hidden),
    )
    .addOption(
      new Option(
        '--region <region>',
        "with --target aws|localstack: the AWS region (default: AWS_REGION or your profile's; localstack: us-east-1)",
      ).hideHelp(hidden),
    );
}

/** The target the options name (errors for an unknown target, environment or region). */
export function targetOf(options: TargetOptions): Target {
  return resolveTarget(
    { target: options.target, env: options.env, region: options.region },
    process.env,
  );
}

/**
 * For commands that exist only on the embedded engine: a usage error for a cloud target, with
 * what to do there instead (`instead` gets the target's flags, e.g. `--target aws --env prod`).
 */
export function requireLocal(
  options: TargetOptions,
  command: string,
  instead: (flags: string) => string,
): void {
  const target = targetOf(options);
  if (target.kind === 'local') return;
  throw new UsageError(
    `updraft ${command} works only on the local embedded engine, not with --target ${target.kind}`,
    { hint: instead(target.flags) },
  );
}

/** Runs `work` against a deployed environment (SDK errors become messages; clients are closed). */
export async function onCloud<T>(
  target: CloudTarget,
  work: (cloud: Cloud) => Promise<T>,
): Promise<T> {
  const { withCloud } = await import('../cloud/context.ts');
  return withCloud(target, work);
}

/** ` --target aws --env prod` to append to a command in a hint; empty for the local target. */
export function flagsOf(target: Target): string {
  return target.kind === 'local' ? '' : ` ${target.flags}`;
}
