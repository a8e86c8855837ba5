/**
 * Golden ASL: every example DAG compiles to the checked-in definition, byte for byte, and
 * every compiled machine (examples and generated shapes) passes asl-validator once its
 * placeholders are filled. Regenerate after an intended change with `UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts`;
 * without it a missing golden file fails (it is never written silently).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const validate = aslProblems;

const UPDATE = 'UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts';

/** `json` is the golden file's text; with `update` (UPDATE_GOLDEN=1) it is written instead. */
function expectGolden(
  file: string,
  json: string,
  update = process.env.UPDATE_GOLDEN === '1',
): void {
  if (update) writeFileSync(file, json);
  else if (!existsSync(file))
    throw new Error(`golden file ${file} is missing: write it with \`${UPDATE}\`, then review it`);
  expect(json, `differs from ${file}; if the change is intended, update with \`${UPDATE}\``).toBe(
    readFileSync(file, 'utf8'),
  );
}

describe('golden ASL of the example DAGs', () => {
  it('covers every example DAG', () => {
    expect(project.dags.map((d) => d.ir.id)).toHaveLength(9);
  });

  for (const id of [
    'daily_orders',
    'ingest_crm',
    'ingest_billing',
    'ingest_support',
    'orders_mart',
    'process_files',
    'wait_for_export',
    'warehouse_refresh',
    'weekday_report',
  ]) {
    it(`${id} compiles to its golden definition, deterministically, and validates`, async () => {
      const ir = project.dags.find((d) => d.ir.id === id)!.ir;
      const first = compileDag(ir).json;
      const second = compileDag(ir).json;
      expect(second).toBe(first);
      const file = path.join(here, 'golden', `${id}.asl.json`);
      expectGolden(file, first);
      expect(await validate(first)).toEqual([]);
    });
  }

  it('a missing golden file fails, and is not written, unless UPDATE_GOLDEN=1', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'golden-'));
    try {
      const file = path.join(dir, 'missing.asl.json');
      expect(() => expectGolden(file, '{}', false)).toThrow(
        `golden file ${file} is missing: write it with \`${UPDATE}\`, then review it`,
      );
      expect(existsSync(file)).toBe(false);
      expectGolden(file, '{}', true);
      expect(readFileSync(file, 'utf8')).toBe('{}');
      expect(() => expectGolden(file, '{ }', false)).toThrow('differs from');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the validators still reject a broken definition after the schema is compiled once', async () => {
    const json = readFileSync(path.join(here, 'golden', 'daily_orders.asl.json'), 'utf8');
    expect(await validate(json)).toEqual([]);
    const broken = JSON.parse(json) as {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    };
    broken.States[broken.StartAt]!.InputPath = '$$$bad';
    expect(await validate(JSON.stringify(broken, null, 2))).toEqual([
      `asl-validator: SCHEMA_VALIDATION_FAILED: /States/${broken.StartAt}/InputPath is invalid. must match format "asl_path"`,
    ]);
  });
});
