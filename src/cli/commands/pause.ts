/**
 * @module cli/commands/pause
 * `updraft pause <dag> --target aws|localstack` and `updraft unpause <dag> …`: stop and restart a
 * deployed DAG's schedule (its EventBridge Scheduler schedule set DISABLED or ENABLED, every other
 * setting kept, and the pause kept in the run table, where the launcher checks it on every tick:
 * a deploy re-enables the schedule from its template, but not the DAG). Runs already started go
 * on; manual triggers still work while paused. Locally (the default target) the pause is kept in
 * the project's run store, and the local scheduler (`updraft dev`) starts none of the DAG's runs.
 */
import type { Command } from 'commander';
import type { ScheduleChange, ScheduleState } from '../../cloud/schedules.ts';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import { EXIT_OK } from '../errors.ts';
import { addTargetOptions, onCloud, targetOf } from '../target.ts';
import { withSession } from '../session.ts';

interface Verb {
  readonly name: 'pause' | 'unpause';
  readonly state: ScheduleState;
  readonly description: string;
}

const VERBS: readonly Verb[] = [
  {
    name: 'pause',
    state: 'DISABLED',
    description:
      "pause a DAG's schedule, locally (updraft dev) or deployed (no new scheduled runs; running ones go on)",
  },
  {
    name: 'unpause',
    state: 'ENABLED',
    description: "unpause a DAG's schedule, locally (updraft dev) or deployed",
  },
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
          await pauseLocally(io, options, verb, dagId, Boolean(opts.json || options.json));
          setExit(EXIT_OK);
          return;
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

/** The local scheduler's pause (`updraft dev`): kept in the project's run store. */
async function pauseLocally(
  io: Io,
  options: GlobalOptions,
  verb: Verb,
  dagId: string,
  json: boolean,
): Promise<void> {
  await withSession(io, options, { requireDag: dagId }, async (session) => {
    const since = await session.store.pausedAt(dagId);
    const pausing = verb.state === 'DISABLED';
    const changed = pausing ? since === undefined : since !== undefined;
    if (changed) await session.store.setPaused(dagId, pausing ? io.now().toISOString() : undefined);
    if (json) {
      io.out(JSON.stringify({ dagId, state: verb.state, changed }, null, 2));
      return;
    }
    if (!changed) io.out(`${dagId} is already ${verb.name}d locally: nothing changed`);
    else if (pausing) {
      io.out(
        `✔ Paused ${dagId} locally: updraft dev starts none of its runs (scheduled or dataset-triggered); runs already started go on`,
      );
      io.out(`  ↳ updraft unpause ${dagId} resumes it; updraft run ${dagId} still runs it by hand`);
    } else io.out(`✔ Unpaused ${dagId} locally: updraft dev starts its runs again`);
  });
}
