/**
 * @module cli/commands/outbox
 * `updraft outbox [runId] [--json]`: the SNS, SQS and EventBridge messages the embedded engine
 * captured instead of sending (a local run must not page anyone), newest first — service,
 * target, task, time and the message as JSON — so a DAG's notifications can be checked locally.
 * Local only: a deployment really sends its messages.
 */
import type { Command } from 'commander';
import type { OutboxMessage } from '../../store/types.ts';
import { EXIT_OK } from '../errors.ts';
import type { Io } from '../io.ts';
import { addTargetOptions, requireLocal } from '../target.ts';
import type { GlobalOptions } from '../project.ts';
import { withSession } from '../session.ts';
import { messageLines, requireRun } from './show.ts';

/** Newest first; within one instant, the later message of a run first. */
export function newestFirst(messages: readonly OutboxMessage[]): OutboxMessage[] {
  return [...messages].sort(
    (a, b) => b.at.localeCompare(a.at) || b.runId.localeCompare(a.runId) || b.seq - a.seq,
  );
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('outbox')
    .description(
      'show the SNS/SQS/EventBridge messages local runs captured instead of sending, newest first',
    )
    .argument('[runId]', 'only the messages of this run')
    .option(
      '--json',
      'print [{ runId, seq, taskId, service: "sns" | "sqs" | "events", target, message, at }]',
    );
  addTargetOptions(command, { hidden: true }).action(
    async (
      runId: string | undefined,
      opts: { json?: boolean; target?: string; env?: string; region?: string },
      cmd: Command,
    ) => {
      requireLocal(
        opts,
        'outbox',
        (flags) =>
          `the outbox holds what local runs captured instead of sending; a deployment really sends its SNS, SQS and EventBridge messages — see a run with: updraft show <run id> ${flags}`,
      );
      const options = cmd.optsWithGlobals<GlobalOptions>();
      await withSession(io, options, { loadDags: false }, async (session) => {
        if (runId !== undefined) await requireRun(session.store, runId);
        const messages = newestFirst(await session.store.listOutbox(runId));
        if (opts.json || options.json) {
          io.out(JSON.stringify(messages, null, 2));
          return;
        }
        if (messages.length === 0) {
          io.out(
            `No messages${runId ? ` from run ${runId}` : ''} in the outbox. Tasks made with snsPublish, sqsSend or eventBridgePut put theirs here when they run locally.`,
          );
          return;
        }
        const n = messages.length;
        io.out(
          `${n} message${n === 1 ? '' : 's'}${runId ? ` from run ${runId}` : ''} captured instead of sent, newest first:`,
        );
        for (const m of messages)
          for (const line of messageLines(m, runId === undefined)) io.out(line);
      });
      setExit(EXIT_OK);
    },
  );
}
