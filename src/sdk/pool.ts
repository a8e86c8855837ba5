/**
 * @module sdk/pool
 * Pools cap how many tasks that share a resource (a warehouse, an API quota) run at once,
 * across all DAGs. Declare a pool once and use it from any task.
 */

export interface Pool {
  readonly kind: 'pool';
  readonly name: string;
  readonly slots: number;
}

/** `pool('warehouse', { slots: 4 })`: at most 4 tasks using it run at the same time. */
export function pool(name: string, options: { readonly slots: number }): Pool {
  return { kind: 'pool', name, slots: options?.slots };
}
