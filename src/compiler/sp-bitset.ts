/**
 * @module compiler/sp-bitset
 * Fixed-size bitsets over task indices for the series-parallel decomposition: reachability of a
 * 500-task DAG is 500 × 16 words, so "does every task of S1 reach every task of S2" is a few
 * word operations instead of a graph walk.
 */

export type Bitset = Uint32Array;

export function bitset(size: number): Bitset {
  return new Uint32Array((size + 31) >>> 5);
}

export function bitsetOf(size: number, members: Iterable<number>): Bitset {
  const b = bitset(size);
  for (const i of members) add(b, i);
  return b;
}

export function has(b: Bitset, i: number): boolean {
  return ((b[i >>> 5]! >>> (i & 31)) & 1) === 1;
}

export function add(b: Bitset, i: number): void {
  b[i >>> 5]! |= 1 << (i & 31);
}

export function remove(b: Bitset, i: number): void {
  b[i >>> 5]! &= ~(1 << (i & 31));
}

/** `into |= from`. */
export function orInto(into: Bitset, from: Bitset): void {
  for (let w = 0; w < into.length; w++) into[w]! |= from[w]!;
}

/** `into &= from`. */
export function andInto(into: Bitset, from: Bitset): void {
  for (let w = 0; w < into.length; w++) into[w]! &= from[w]!;
}

/** Every member of `a` is in `b`. */
export function isSubset(a: Bitset, b: Bitset): boolean {
  for (let w = 0; w < a.length; w++) if ((a[w]! & ~b[w]!) !== 0) return false;
  return true;
}

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** |a \ b| */
export function countMinus(a: Bitset, b: Bitset): number {
  let n = 0;
  for (let w = 0; w < a.length; w++) n += popcount32(a[w]! & ~b[w]!);
  return n;
}
