/**
 * The error module: who is at fault, hints, problems carried as data, and the one formatter.
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DagDefinitionError,
  InternalError,
  PermanentError,
  UpdraftError,
} from '../src/errors.ts';
import { PROBLEM_CODES, formatProblems, isProblemCode, type Problem } from '../src/problems.ts';
import { UsageError, handleError } from '../src/cli/errors.ts';
import { CloudError } from '../src/cloud/errors.ts';
import { describeCause } from '../src/runtime/errors.ts';
import { dag, task } from '../src/sdk/index.ts';
import { runDag } from '../src/testing/index.ts';

const unknownTask: Problem = {
  code: 'unknown-task',
  severity: 'error',
  message: 'depends on unknown task "transfrom" (did you mean "transform"?)',
  hint: 'fix the id, or declare the task',
  dagId: 'daily',
  taskId: 'load',
  file: 'dags/daily.ts',
};
const unusedTask: Problem = {
  code: 'unused-task',
  severity: 'warning',
  message: 'task "spare" is never called',
  dagId: 'daily',
};

describe('the hierarchy', () => {
  it('tells the faults apart by fault, so a copy of the SDK elsewhere is recognised', () => {
    const foreign = Object.assign(new Error('no such connection'), { fault: 'config' });
    expect(foreign instanceof ConfigError).toBe(true);
    expect(foreign instanceof UpdraftError).toBe(true);
    expect(foreign instanceof DagDefinitionError).toBe(false);
    expect(new InternalError('x') instanceof ConfigError).toBe(false);
  });

  it('matches a subclass of a fault by its prototype chain: every UsageError is a ConfigError, not the reverse', () => {
    expect(new UsageError('bad flag') instanceof ConfigError).toBe(true);
    expect(new ConfigError('missing connection') instanceof UsageError).toBe(false);
    expect(new CloudError('no credentials') instanceof UsageError).toBe(false);
    expect(new CloudError('no credentials') instanceof ConfigError).toBe(true);
  });

  it('carries hint and cause on every class', () => {
    const cause = new Error('ENOENT');
    const e = new UsageError('--date is not a date: "2026-13-01"', {
      hint: 'pass YYYY-MM-DD',
      cause,
    });
    expect([e.name, e.message, e.hint, e.cause]).toEqual([
      'UsageError',
      '--date is not a date: "2026-13-01"',
      'pass YYYY-MM-DD',
      cause,
    ]);
    expect(new ConfigError('x').hint).toBeUndefined();
    expect('cause' in new ConfigError('x')).toBe(false);
  });

  it('PermanentError stays outside it: task code throws it, the CLI never does', () => {
    expect(new PermanentError('bad input') instanceof UpdraftError).toBe(false);
  });
});

describe('problems', () => {
  it('codes are unique, kebab-case and recognised', () => {
    expect(new Set(PROBLEM_CODES).size).toBe(PROBLEM_CODES.length);
    for (const code of PROBLEM_CODES) expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(isProblemCode('cycle')).toBe(true);
    expect(isProblemCode('no-such-code')).toBe(false);
  });

  it('a DagDefinitionError carries its problems and renders them with the one formatter, errors first', () => {
    const e = DagDefinitionError.of('DAG "daily" is invalid', [unusedTask, unknownTask], {
      hint: 'npx updraft validate',
    });
    expect(e.problems).toEqual([unusedTask, unknownTask]);
    expect(e.message).toBe(
      [
        'DAG "daily" is invalid:',
        '✖ daily › load: depends on unknown task "transfrom" (did you mean "transform"?)  → dags/daily.ts',
        '    ↳ fix the id, or declare the task',
        '⚠ daily: task "spare" is never called',
      ].join('\n'),
    );
    expect(formatProblems([unusedTask, unknownTask])).toBe(
      e.message.slice('DAG "daily" is invalid:\n'.length),
    );
    expect(e.hint).toBe('npx updraft validate');
  });

  it('updraft/testing refuses an invalid DAG with its problems as data', async () => {
    const broken = dag('broken', { schedule: 'none' as never }, () => {
      task('a', async () => 1);
    });
    const error = await runDag(broken).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DagDefinitionError);
    const problems = (error as DagDefinitionError).problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.severity === 'error' && isProblemCode(p.code))).toBe(true);
    expect((error as Error).message.split('\n')[0]).toBe('DAG "broken" is invalid:');
  });
});

describe('how errors are reported', () => {
  it('the CLI prints message and hint and exits 1 for the user, 2 for a bug', () => {
    const out: string[] = [];
    expect(
      handleError(
        new UsageError('unknown DAG "dialy"', { hint: 'updraft list shows the DAGs' }),
        (t) => out.push(t),
      ),
    ).toBe(1);
    expect(
      handleError(DagDefinitionError.of('DAG "daily" is invalid', [unknownTask]), (t) =>
        out.push(t),
      ),
    ).toBe(1);
    expect(handleError(new InternalError('series of nothing'), (t) => out.push(t))).toBe(2);
    expect(out[0]).toBe('✖ unknown DAG "dialy"\n    ↳ updraft list shows the DAGs');
    expect(out[1]).toBe(
      `✖ ${DagDefinitionError.of('DAG "daily" is invalid', [unknownTask]).message}`,
    );
    expect(out[2]).toMatch(
      /^✖ Internal error in Updraft \(a bug, not your DAG\): series of nothing\n/,
    );
  });

  it('a task record keeps the hint of an Updraft error under its message', () => {
    expect(
      describeCause(
        new ConfigError('connection "crm_db" is not set', {
          hint: 'npx updraft connections add crm_db',
        }),
      ),
    ).toBe('connection "crm_db" is not set\n    ↳ npx updraft connections add crm_db');
  });
});
