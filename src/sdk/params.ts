/**
 * @module sdk/params
 * Typed run parameters with defaults (Airflow's Params): validated when a run is triggered by
 * hand, read in tasks as `ctx.params`, typed with `Params<typeof params>`.
 */
import type { ParamType } from '../ir/types.ts';

export interface ParamSpec<T> {
  readonly kind: 'param';
  readonly type: ParamType;
  readonly default?: T;
  readonly description?: string;
  readonly enum?: readonly T[];
  readonly minimum?: number;
  readonly maximum?: number;
  /** Phantom for the value type. */
  readonly __value?: T;
}

interface Common<T> {
  readonly default?: T;
  readonly description?: string;
}

function spec<T>(type: ParamType, options: object): ParamSpec<T> {
  return { kind: 'param', type, ...(options as object) } as ParamSpec<T>;
}

export const param = {
  string<const E extends string = string>(
    options: Common<E> & { readonly enum?: readonly E[] } = {},
  ): ParamSpec<E> {
    return spec('string', options);
  },
  number(
    options: Common<number> & { readonly minimum?: number; readonly maximum?: number } = {},
  ): ParamSpec<number> {
    return spec('number', options);
  },
  integer(
    options: Common<number> & { readonly minimum?: number; readonly maximum?: number } = {},
  ): ParamSpec<number> {
    return spec('integer', options);
  },
  boolean(options: Common<boolean> = {}): ParamSpec<boolean> {
    return spec('boolean', options);
  },
  object<T extends Record<string, unknown> = Record<string, unknown>>(
    options: Common<T> = {},
  ): ParamSpec<T> {
    return spec('object', options);
  },
  array<T = unknown>(options: Common<readonly T[]> = {}): ParamSpec<readonly T[]> {
    return spec('array', options);
  },
};

export type ParamSpecs = Readonly<Record<string, ParamSpec<any>>>;

/** The values a task sees in `ctx.params` for a DAG's param specs. */
export type Params<S extends ParamSpecs> = {
  readonly [K in keyof S]: S[K] extends ParamSpec<infer V> ? V : never;
};
