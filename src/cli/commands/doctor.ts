/**
 * @module cli/commands/doctor
 * `updraft doctor --target aws [--env E] [--replay] [--json]`: what the launcher and the recorder
 * failed to do — schedule ticks that started no run, status events that left a run record stale —
 * from the environment's dead-letter queue (cloud/dead-letters): which function, for which DAG
 * and tick or run, when, and the error. `--replay` runs each again through the deployed function
 * and removes it from the queue once that succeeded; replays are idempotent (an interval that has
 * a run starts nothing new, an old status event never takes a newer record back).
 */
import type { Command } from 'commander';
import type { DeadLetter, ReplayResult } from '../../cloud/dead-letters.ts';
import { EXIT_OK, EXIT_USER_ERROR, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import type { GlobalOptions } from '../project.ts';
import { addTargetOptions, onCloud, targetOf } from '../target.ts';

function letterLine(l: DeadLetter): string {
  const attempts =
    l.attempts === undefined ? '' : `, after ${l.attempts} attempt${l.attempts === 1 ? '' : 's'}`;
  return `  ✖ ${l.function ?? 'unknown'}  ${l.subject}  at ${l.at || 'unknown time'}${attempts}\n      ${l.error}${l.unreplayable ? `\n      ↳ cannot be replayed: ${l.unreplayable}` : ''}`;
}

function replayLine(r: ReplayResult): string {
  return r.ok
    ? `  ✔ replayed ${r.letter.function}: ${r.letter.subject}`
    : `  ✖ not replayed ${r.letter.function ?? 'unknown'}: ${r.letter.subject}: ${r.error} (kept in the queue)`;
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('doctor')
    .description(
      "list what a deployment's launcher and recorder failed to do (its dead-letter queue), and replay it with --replay",
    )
    .option(
      '--replay',
      'run each failure again through the deployed function; delete it from the queue once that succeeded',
    )
    .option(
      '--json',
      'print { queue, failures: [{ messageId, function, via, subject, dagId, runId, at, error, attempts, unreplayable }], replayed? }',
    );
  addTargetOptions(command).action(
    async (
      opts: { replay?: boolean; json?: boolean; target?: string; env?: string; region?: string },
      cmd: Command,
    ) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const target = targetOf(opts);
      if (target.kind === 'local') {
        throw new UsageError(
          'updraft doctor reads a deployment’s dead-letter queue: local runs have no launcher or recorder to fail',
          {
            hint: 'name the deployment: updraft doctor --target aws (with --env staging|prod for other than dev)',
          },
        );
      }
      const { queueUrl, readDeadLetters, release, replay, deadLetterQueueName } = await import(
        '../../cloud/dead-letters.ts'
      );
      const json = Boolean(opts.json || options.json);
      let failed = false;
      await onCloud(target, async (cloud) => {
        const queue = deadLetterQueueName(target.env);
        const url = await queueUrl(cloud);
        const { letters, more } = await readDeadLetters(cloud, url);
        let replayed: ReplayResult[] | undefined;
        if (opts.replay) {
          replayed = [];
          for (const letter of letters) replayed.push(await replay(cloud, url, letter));
          failed = replayed.some((r) => !r.ok);
        } else {
          await release(cloud, url, letters);
        }
        if (json) {
          const failures = letters.map(({ receiptHandle: _r, payload: _p, ...rest }) => rest);
          const results = replayed?.map((r) => ({
            messageId: r.letter.messageId,
            ok: r.ok,
            ...(r.ok ? {} : { error: r.error }),
          }));
          io.out(
            JSON.stringify({ queue, failures, ...(results && { replayed: results }) }, null, 2),
          );
          return;
        }
        if (letters.length === 0) {
          io.out(
            `No failures in ${cloud.where}: the dead-letter queue ${queue} is empty (the launcher and the recorder have lost nothing).`,
          );
          return;
        }
        const n = letters.length;
        io.out(
          `${n}${more ? '+' : ''} failure${n === 1 ? '' : 's'} in the dead-letter queue ${queue} of ${cloud.where}, oldest first:`,
        );
        for (const l of letters) io.out(letterLine(l));
        if (replayed) {
          io.out('Replay:');
          for (const r of replayed) io.out(replayLine(r));
          const ok = replayed.filter((r) => r.ok).length;
          io.out(
            `${ok} of ${n} replayed and removed from the queue${ok < n ? '; the others stay in it (the queue keeps messages 14 days)' : ''}.`,
          );
        } else {
          io.out(
            `↳ replay them: updraft doctor --replay ${target.flags} (a replay starts no second run of an interval and never takes a newer run record back)`,
          );
        }
      });
      setExit(failed ? EXIT_USER_ERROR : EXIT_OK);
    },
  );
}
