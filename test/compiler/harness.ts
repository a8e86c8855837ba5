/**
 * Test helper: build a DAG inline, compile it, run it on aws-local-stepfunctions with
 * in-process task handlers, and return task states in a compact form.
 */
import { buildDagIR, type Dag } from '../../src/sdk/index.ts';
import { compileDag } from '../../src/compiler/compile.ts';
import { runMachine, type OperatorOverride, type RunMachineResult } from '../../src/engine/run-machine.ts';
import type { RunValues } from '../../src/runtime/args.ts';
import { aslProblems } from '../support/validate-asl.ts';

export const RUN: RunValues = {
  dagId: 'test',
  runId: 'test-2026-11-20T00-00-00Z',
  key: '2026-11-20T00-00-00Z',
  logicalDate: '2026-11-20T00:00:00.000Z',
  ds: '2026-11-20',
  dataIntervalStart: '2026-11-20T00:00:00.000Z',
  dataIntervalEnd: '2026-11-21T00:00:00.000Z',
  params: {},
  triggeredBy: 'manual',
  timers: {},
};

export async function runDag(dag: Dag, options: { overrides?: Record<string, OperatorOverride>; params?: Record<string, unknown> } = {}): Promise<RunMachineResult & { states: Record<string, string> }> {
  const { ir, problems } = buildDagIR(dag, 'test.ts');
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(`invalid test DAG: ${errors.map((p) => p.message).join('; ')}`);
  const compiled = compileDag(ir);
  // Every machine a test runs must also be valid ASL for AWS (both validators, ARNs filled in).
  const invalid = await aslProblems(compiled.json);
  if (invalid.length > 0) throw new Error(`compiled ASL is invalid: ${invalid.join('; ')}`);
  const result = await runMachine({ dag, ir, compiled, run: { ...RUN, dagId: ir.id, params: options.params ?? {} }, overrides: options.overrides });
  return { ...result, states: Object.fromEntries(Object.entries(result.tasks).map(([id, t]) => [id, t.state])) };
}
