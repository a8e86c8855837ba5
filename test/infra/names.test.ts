/**
 * Physical names stay unique across the whole app, also for DAGs whose ids are the platform's
 * own function names (`launcher`, `recorder`): two functions or log groups with one name fail
 * the deploy of the second stack (or, worse, a DAG's task runner replaces the launcher).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadProject } from '../../src/loader/load-project.ts';
import { names } from '../../src/runtime/env.ts';
import { buildUpdraftApp } from '../../infra/updraft-app.ts';

describe('physical names', () => {
  it('gives DAGs named launcher and recorder task functions and log groups of their own', async () => {
    const loaded = await loadProject('dags', {
      root: path.resolve(import.meta.dirname, '../fixtures/platform-names'),
    });
    expect(loaded.problems).toEqual([]);
    const code = mkdtempSync(path.join(tmpdir(), 'updraft-code-'));
    writeFileSync(path.join(code, 'index.mjs'), 'export const handler = async () => ({});\n');
    // CloudFormation's rules are checked on the examples' real synth (synth.test.ts).
    const app = new App({ builtinCloudFormationValidation: false });
    buildUpdraftApp(app, {
      environment: 'prod',
      dags: loaded.dags.map((d) => ({ ir: d.ir, codeDir: code })),
      platformCode: { launcher: code, recorder: code },
    });
    const templates = app.node.children
      .filter((c): c is Stack => Stack.isStack(c))
      .map((s) => Template.fromStack(s));
    const all = (type: string, prop: string) =>
      templates.flatMap((t) =>
        Object.values(t.findResources(type)).map((r) =>
          JSON.stringify((r as { Properties: Record<string, unknown> }).Properties[prop]),
        ),
      );
    const functions = all('AWS::Lambda::Function', 'FunctionName');
    expect(functions.sort()).toEqual([
      '"updraft-prod-_launcher"',
      '"updraft-prod-_recorder"',
      '"updraft-prod-launcher"',
      '"updraft-prod-recorder"',
    ]);
    const logGroups = all('AWS::Logs::LogGroup', 'LogGroupName');
    expect(new Set(logGroups).size).toBe(logGroups.length);
    expect(names.taskLogGroup('prod', 'launcher')).toBe('/aws/lambda/updraft-prod-_launcher');
    expect(names.taskFunction('prod', 'daily_orders')).toBe('updraft-prod-daily_orders');
  });
});
