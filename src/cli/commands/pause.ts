/**
 * @module cli/commands/pause
 * `updraft pause <dag> --target aws|localstack` and `updraft unpause <dag> …`: stop and restart a
 * deployed DAG's schedule (its EventBridge Scheduler schedule set DISABLED or ENABLED, every other
 * setting kept, and the pause kept in the run table, where the launcher checks it on every tick:
 * a deploy re-enables the schedule from its template, but not the DAG). Runs already started go
 * on; manual triggers still work while paused. The
 * embedded engine has no scheduler, so the local target has nothing to pause.
 */
import type { Command } from 'commander';
import type { ScheduleChange, ScheduleState } from '../../cloud/schedules.ts';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { addTargetOptions, onCloud, targetOf } from '../target.ts';

interface Verb {
  readonly name: 'pause' | 'unpause';
  readonly state: ScheduleState;
  readonly description: string;
}

const VERBS: readonly Verb[] = [
  {
    name: 'pause',
    state: 'DISABLED',
    description: "pause a deployed DAG's schedule (no new scheduled runs; running ones go on)",
  },
  { name: 'unpause', state: 'ENABLED', description: "unpause a deployed DAG's schedule" },
];

function message(verb: Verb, c: ScheduleChange, where: string, flags: string): string[] {
  const schedule = c.expression ? ` (${c.expression}${c.timezone ? `, ${c.timezone}` : ''})` : '';
  if (!c.changed)
    return [`${c.dagId} is already ${verb.name}d on ${where}${schedule}: nothing changed`];
  if (verb.state === 'DISABLED') {
    return [
      `✔ Paused ${c.dagId} on ${where}: its schedule${schedule} starts no new runs; runs already started go on`,
      `  ↳ updraft unpause ${c.dagId} ${flags} resumes it; a manual run meanwhile: updraft trigger ${c.dagId} ${flags}`,
    ];
  }
  return [`✔ Unpaused ${c.dagId} on ${where}: its schedule${schedule} starts runs again`];
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  for (const verb of VERBS) {
    const command = program
      .command(verb.name)
      .description(verb.description)
      .argument('<dag>', 'DAG id')
      .option('--json', 'print { dagId, schedule, group, state, changed, expression, timezone }');
    addTargetOptions(command).action(
      async (
        dagId: string,
        opts: { json?: boolean; target?: string; env?: string; region?: string },
        cmd: Command,
      ) => {
        const options = cmd.optsWithGlobals<GlobalOptions>();
        const target = targetOf(opts);
        if (target.kind === 'local') {
          throw new UsageError(
            `updraft ${verb.name} changes a deployed schedule: the embedded engine has no scheduler (local runs start only with updraft run)`,
            {
              hint: `name the deployment: updraft ${verb.name} ${dagId} --target aws (or --target localstack), with --env staging|prod for other than dev`,
            },
          );
        }
        const { setScheduleState } = await import('../../cloud/schedules.ts');
        await onCloud(target, async (cloud) => {
          const scheduled = await setScheduleState(cloud, dagId, verb.state, io.now());
          // The pause is kept in the run table too: a deploy writes the schedule's State again from
          // the template, and the launcher leaves the ticks of a paused DAG idle.
          const pausing = verb.state === 'DISABLED';
          const since = await cloud.store.pausedAt(dagId);
          if (pausing && since === undefined)
            await cloud.store.setPaused(dagId, io.now().toISOString());
          if (!pausing && since !== undefined) await cloud.store.setPaused(dagId, undefined);
          const change = {
            ...scheduled,
            changed: scheduled.changed || (pausing ? since === undefined : since !== undefined),
          };
          if (opts.json || options.json) io.out(JSON.stringify(change, null, 2));
          else for (const line of message(verb, change, cloud.where, target.flags)) io.out(line);
        });
        setExit(EXIT_OK);
      },
    );
  }
}
