/**
 * Golden ASL: every example DAG compiles to the checked-in definition, byte for byte, and
 * every compiled machine (examples and generated shapes) passes asl-validator once its
 * placeholders are filled. Regenerate after an intended change with `UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import validator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDag } from '../../src/compiler/compile.ts';
import { substitute } from '../../src/engine/run-machine.ts';
import { loadProject, type LoadResult } from '../../src/loader/load-project.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
let project: LoadResult;

beforeAll(async () => {
  project = await loadProject('dags', { root: path.join(repo, 'test/fixtures/examples') });
});

export function validate(json: string): string[] {
  const filled = JSON.parse(substitute(json, { Region: 'us-east-1', Account: '123456789012' })) as unknown;
  const result = validator(filled, { checkArn: true, checkPaths: true });
  return result.isValid ? [] : result.errors.map((e) => `${e['Error code']}: ${e.Message}`);
}

describe('golden ASL of the example DAGs', () => {
  it('covers every example DAG', () => {
    expect(project.dags.map((d) => d.ir.id)).toHaveLength(8);
  });

  for (const id of ['daily_orders', 'ingest_crm', 'ingest_billing', 'ingest_support', 'process_files', 'wait_for_export', 'warehouse_refresh', 'weekday_report']) {
    it(`${id} compiles to its golden definition, deterministically, and validates`, () => {
      const ir = project.dags.find((d) => d.ir.id === id)!.ir;
      const first = compileDag(ir).json;
      const second = compileDag(ir).json;
      expect(second).toBe(first);
      const file = path.join(here, 'golden', `${id}.asl.json`);
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, first);
      expect(first).toBe(readFileSync(file, 'utf8'));
      expect(validate(first)).toEqual([]);
    });
  }
});
