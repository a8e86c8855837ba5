/**
 * A 5,000-task random layered DAG (bench/shapes, seed 7) end to end, as issue 15 asks: compiled
 * (cut into parts: compiler/parts), every machine checked by both ASL validators (asl-validator and
 * AWS's amazon-states-language-service, ARNs filled in), the CDK app synthesized with cdk-nag, and
 * one all-success run on the embedded engine (`runDag` of updraft/testing: the SQLite store,
 * task code in process). Prints a Markdown table for BENCHMARKS.md.
 *
 *   npx tsx bench/parts.ts        # ≈ 3 min on 2 cores
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { compileDag } from '../src/compiler/index.ts';
import { buildDagIR } from '../src/sdk/index.ts';
import { runDag } from '../src/testing/index.ts';
import { buildUpdraftApp } from '../infra/updraft-app.ts';
import { nagReport } from '../infra/nag.ts';
import { aslProblems } from '../test/support/validate-asl.ts';
import { randomLayered } from './shapes.ts';

const TASKS = 5000;
const make = () => randomLayered('layered_5k', TASKS, 7);
const rows: string[] = [];
const row = (what: string, result: string) => rows.push(`| ${what} | ${result} |`);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// Compile
const { ir } = buildDagIR(make(), 'bench.ts');
let t = cpu();
const compiled = compileDag(ir);
row(
  'compile (CPU)',
  `${seconds(cpu() - t)}: ${compiled.parts.length} parts, the largest ${(Math.max(...compiled.analysis.parts.map((p) => p.bytes)) / 1024).toFixed(0)} KiB, the run's own machine ${(compiled.analysis.definition.bytes / 1024).toFixed(0)} KiB; worst-case history ${compiled.analysis.history.worstCase.toLocaleString('en-US')} events per execution; ${compiled.analysis.transitions.perTask.toFixed(2)} transitions per task`,
);

// Both validators, every machine
t = cpu();
const problems = (
  await Promise.all([compiled.json, ...compiled.parts.map((p) => p.json)].map(aslProblems))
).flat();
row(
  'both ASL validators, every machine',
  `${problems.length === 0 ? 'valid' : `${problems.length} problems: ${problems.slice(0, 3).join('; ')}`} (${seconds(cpu() - t)} CPU)`,
);

// Synth with cdk-nag
t = cpu();
const code = mkdtempSync(path.join(tmpdir(), 'updraft-bench-parts-'));
writeFileSync(path.join(code, 'index.mjs'), 'export const handler = async () => ({});\n');
const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'updraft-bench-cdk-')) });
const built = buildUpdraftApp(app, {
  environment: 'prod',
  dags: [{ ir, codeDir: code, compiled }],
  platformCode: { launcher: code, recorder: code },
});
const assembly = app.synth();
const nag = nagReport(app).lines;
const dagStack = built.dagStacks[0]! as Stack;
const template = assembly.getStackArtifact(dagStack.artifactId).template as {
  Resources: Record<string, { Type: string }>;
};
const machines = Object.values(template.Resources).filter(
  (r) => r.Type === 'AWS::StepFunctions::StateMachine',
).length;
row(
  'synthesized (CDK, cdk-nag)',
  `${seconds(cpu() - t)} CPU: ${machines} state machines in ${built.dagStacks.length} DAG stack, template ${(JSON.stringify(template).length / 1024).toFixed(0)} KiB (definitions over 200 KB from S3), cdk-nag ${nag.length === 0 ? 'clean' : `${nag.length} findings`}`,
);

// One run on the embedded engine
const started = performance.now();
t = cpu();
const r = await runDag(make(), { date: '2026-11-20T00:00:00.000Z', env: {} });
const states = Object.values(r.states);
row(
  'one run on the embedded engine',
  `${r.status}: ${states.filter((s) => s === 'success').length.toLocaleString('en-US')} of ${states.length.toLocaleString('en-US')} tasks succeeded, ${r.transitions.toLocaleString('en-US')} transitions, ${seconds(performance.now() - started)} wall, ${seconds(cpu() - t)} CPU`,
);

console.log(`### ${TASKS.toLocaleString('en-US')}-task random layered DAG (seed 7)\n`);
console.log('| step | result |\n|---|---|');
console.log(rows.join('\n'));
