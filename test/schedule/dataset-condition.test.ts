/**
 * Data-aware scheduling's rule (schedule/dataset-condition): when a consumer's condition holds
 * for the datasets updated since its last dataset-triggered run, and what it still waits for.
 */
import { describe, expect, it } from 'vitest';
import {
  conditionHolds,
  datasetsOf,
  describeCondition,
  formatCondition,
  waitingFor,
} from '../../src/schedule/index.ts';
import { buildDagIR } from '../../src/sdk/build-ir.ts';
import { allOf, anyOf, dag, dataset, onDatasets, task } from '../../src/sdk/index.ts';
import { all, any, ds } from './factories.ts';

const [A, B, C, D] = ['s3://a', 's3://b', 's3://c', 's3://d'];
// Airflow's `a | (b & c)`
const NESTED = any(ds(A), all(ds(B), ds(C)));

describe('conditionHolds', () => {
  it.each([
    [ds(A), [], false],
    [ds(A), [A], true],
    [ds(A), [B], false],
    [all(ds(A), ds(B)), [A], false],
    [all(ds(A), ds(B)), [A, B], true],
    [any(ds(A), ds(B)), [], false],
    [any(ds(A), ds(B)), [B], true],
    [NESTED, [A], true],
    [NESTED, [B], false],
    [NESTED, [B, C], true],
    [NESTED, [C, D], false],
    [all(any(ds(A), ds(B)), any(ds(C), ds(D))), [A, D], true],
    [all(any(ds(A), ds(B)), any(ds(C), ds(D))), [A, B], false],
  ] as const)('%j with %j updated: %s', (condition, updated, holds) => {
    expect(conditionHolds(condition, new Set(updated))).toBe(holds);
  });
});

describe('waitingFor', () => {
  it('is undefined once the condition holds', () => {
    expect(waitingFor(NESTED, new Set([A]))).toBeUndefined();
  });

  it('names only what is missing', () => {
    expect(waitingFor(all(ds(A), ds(B), ds(C)), new Set([B]))).toEqual(all(ds(A), ds(C)));
    expect(waitingFor(all(ds(A), ds(B)), new Set([B]))).toEqual(ds(A));
    expect(formatCondition(waitingFor(NESTED, new Set([B]))!)).toBe('s3://a | s3://c');
    expect(formatCondition(waitingFor(NESTED, new Set())!)).toBe('s3://a | (s3://b & s3://c)');
  });
});

describe('formatting', () => {
  it('writes conditions as Airflow does, parentheses where they nest', () => {
    expect(formatCondition(NESTED)).toBe('s3://a | (s3://b & s3://c)');
    expect(formatCondition(all(any(ds(A), ds(B)), ds(C)))).toBe('(s3://a | s3://b) & s3://c');
    expect(datasetsOf(all(ds(C), any(ds(A), ds(C))))).toEqual([A, C]);
  });

  it('says it in words', () => {
    // schedule: [orders] is all of one dataset.
    expect(describeCondition(all(ds(A)))).toBe('When s3://a is updated');
    expect(formatCondition(any(all(ds(A))))).toBe('s3://a');
    expect(describeCondition(all(ds(A), ds(B)))).toBe('When s3://a and s3://b are updated');
    expect(describeCondition(NESTED)).toBe('When datasets are updated: s3://a | (s3://b & s3://c)');
  });
});

describe('authoring a condition', () => {
  const problems = (schedule: unknown) =>
    buildDagIR(
      dag('consumer', { schedule: schedule as never }, () => void task('t', async () => 1)()),
      'dags/consumer.ts',
    ).problems.map((p) => `${p.code}: ${p.message}`);

  it('refuses an empty allOf/anyOf and a dataset that is not a URI, naming each', () => {
    expect(problems(onDatasets(anyOf(dataset(A), allOf())))).toEqual([
      'empty-dataset-schedule: schedule has an empty allOf(), so the DAG would never run',
    ]);
    expect(problems(onDatasets(anyOf(dataset('orders'), dataset(B))))).toEqual([
      'invalid-dataset-uri: schedule has dataset "orders", which is not a URI with a scheme',
    ]);
    expect(problems(onDatasets({ kind: 'some', of: [] } as never))).toEqual([
      'invalid-schedule: dataset schedule {"kind":"some","of":[]} is not a dataset, allOf(...) or anyOf(...)',
    ]);
    expect(problems([])).toEqual([
      'empty-dataset-schedule: schedule is an empty list of datasets, so the DAG would never run',
    ]);
  });
});
