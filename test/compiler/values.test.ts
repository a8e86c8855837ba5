/**
 * Operator parameters built from values, run on the interpreter: literal text with the
 * characters intrinsic functions reserve (' { } \) arrives as written, a template with literal
 * braces keeps them, and an ECS override the cloud cannot express is refused at validation with
 * what to write instead.
 */
import { describe, expect, it } from 'vitest';
import { buildDagIR, dag, ecsTask, format, lambdaInvoke, runValues, task } from './imports.ts';
import { runDag } from './harness.ts';
import type { OperatorOverride } from '../../src/engine/run-machine.ts';

function recorder(response: unknown) {
  const seen: unknown[] = [];
  const override: OperatorOverride = (request) => {
    seen.push(request);
    return response;
  };
  return { seen, override };
}

describe('operator values', () => {
  it("a list mixing an output with text such as it's, {x} and a\\b passes the text as written (States.Array escapes)", async () => {
    const inv = recorder({ Payload: null });
    const d = dag('array_quotes', {}, () => {
      const cfg = task('cfg', async () => ({ table: 'orders' }))();
      lambdaInvoke('inv', {
        functionName: 'f',
        payload: { list: [cfg.get('table'), "it's", '{x}', 'a\\b', '"q" it\'s', 3, true, null] },
      });
    });
    const r = await runDag(d, { overrides: { inv: inv.override } });
    expect(r.error).toBeUndefined();
    expect(r.states).toEqual({ cfg: 'success', inv: 'success' });
    expect(inv.seen).toEqual([
      {
        FunctionName: 'f',
        Payload: { list: ['orders', "it's", '{x}', 'a\\b', '"q" it\'s', 3, true, null] },
      },
    ]);
  });

  it('a template with literal braces and quotes keeps them and fills only its holes', async () => {
    const inv = recorder({ Payload: null });
    const d = dag('format_braces', {}, () => {
      const cfg = task('cfg', async () => ({ table: 'orders' }))();
      lambdaInvoke('inv', {
        functionName: 'f',
        payload: { msg: format`{} {"t": "${cfg.get('table')}"} it's ${runValues.ds}` },
      });
    });
    const r = await runDag(d, { overrides: { inv: inv.override } });
    expect(r.error).toBeUndefined();
    expect(r.states).toEqual({ cfg: 'success', inv: 'success' });
    expect(inv.seen).toEqual([
      { FunctionName: 'f', Payload: { msg: `{} {"t": "orders"} it's 2026-11-20` } },
    ]);
  });

  it('an ECS environment built field by field from outputs and run values reaches the container override', async () => {
    const ecs = recorder({ TaskArn: 'arn:task/1' });
    const d = dag('ecs_env', {}, () => {
      const cfg = task('cfg', async () => ({ table: 'orders' }))();
      ecsTask('run', {
        cluster: 'c',
        taskDefinition: 'td',
        subnets: ['s'],
        container: 'app',
        environment: { TABLE: cfg.get('table'), DAY: runValues.ds, STAGE: 'prod' },
      });
    });
    const r = await runDag(d, { overrides: { run: ecs.override } });
    expect(r.states).toEqual({ cfg: 'success', run: 'success' });
    expect((ecs.seen[0] as { Overrides: unknown }).Overrides).toEqual({
      ContainerOverrides: [
        {
          Name: 'app',
          Environment: [
            { Name: 'TABLE', Value: 'orders' },
            { Name: 'DAY', Value: '2026-11-20' },
            { Name: 'STAGE', Value: 'prod' },
          ],
        },
      ],
    });
  });

  it('an ECS environment that is a whole upstream output, or an override without a container, is refused with the fix', () => {
    const d = dag('ecs_bad', {}, () => {
      const cfg = task('cfg', async () => ({ TABLE: 'orders' }))();
      ecsTask('run', {
        cluster: 'c',
        taskDefinition: 'td',
        subnets: ['s'],
        container: 'app',
        environment: cfg,
      });
      ecsTask('cmd', { cluster: 'c', taskDefinition: 'td', subnets: ['s'], command: ['go'] });
    });
    const { problems } = buildDagIR(d, 'dags/ecs_bad.ts');
    expect(problems.map((p) => [p.code, p.severity, p.dagId, p.taskId, p.message, p.hint])).toEqual(
      [
        [
          'ecs-environment-not-object',
          'error',
          'ecs_bad',
          'run',
          `ecsTask "run" takes its environment from the output of task "cfg", which Step Functions cannot turn into ECS's list of names and values`,
          "name each variable: environment: { TABLE: cfg().get('table'), DAY: runValues.ds }",
        ],
        [
          'ecs-container-required',
          'error',
          'ecs_bad',
          'cmd',
          'ecsTask "cmd" overrides the command but names no container',
          "name the container of the task definition to override: ecsTask('cmd', { container: 'app', ... })",
        ],
      ],
    );
  });
});
