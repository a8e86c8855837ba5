/**
 * Golden ASL: every example DAG compiles to the checked-in definition, byte for byte, and
 * every compiled machine (examples and generated shapes) passes asl-validator once its
 * placeholders are filled. Regenerate after an intended change with `UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDag } from '../../src/compiler/compile.ts';
import { aslProblems } from '../support/validate-asl.ts';
import { loadProject, type LoadResult } from '../../src/loader/load-project.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
let project: LoadResult;

beforeAll(async () => {
  project = await loadProject('dags', { root: path.join(repo, 'test/fixtures/examples') });
});

/** Both ASL validators (test/support/validate-asl). */
export const validate = aslProblems;

describe('golden ASL of the example DAGs', () => {
  it('covers every example DAG', () => {
    expect(project.dags.map((d) => d.ir.id)).toHaveLength(8);
  });

  for (const id of ['daily_orders', 'ingest_crm', 'ingest_billing', 'ingest_support', 'process_files', 'wait_for_export', 'warehouse_refresh', 'weekday_report']) {
    it(`${id} compiles to its golden definition, deterministically, and validates`, async () => {
      const ir = project.dags.find((d) => d.ir.id === id)!.ir;
      const first = compileDag(ir).json;
      const second = compileDag(ir).json;
      expect(second).toBe(first);
      const file = path.join(here, 'golden', `${id}.asl.json`);
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, first);
      expect(first).toBe(readFileSync(file, 'utf8'));
      expect(await validate(first)).toEqual([]);
    });
  }

  it('the validators still reject a broken definition after the schema is compiled once', async () => {
    const json = readFileSync(path.join(here, 'golden', 'daily_orders.asl.json'), 'utf8');
    expect(await validate(json)).toEqual([]);
    const broken = JSON.parse(json) as { StartAt: string; States: Record<string, Record<string, unknown>> };
    broken.States[broken.StartAt]!.InputPath = '$$$bad';
    expect(await validate(JSON.stringify(broken, null, 2))).toEqual([
      `asl-validator: SCHEMA_VALIDATION_FAILED: /States/${broken.StartAt}/InputPath is invalid. must match format "asl_path"`,
    ]);
  });
});
