/**
 * @module schedule/logical-date-key
 * The logical-date part of a deterministic execution name (`<dag>-<key>`): starting the same
 * run twice gives the same name, which Step Functions refuses, so scheduling is idempotent.
 */

/** Sanitized, deterministic execution-name part of a logical date: '2026-11-20T02-00-00Z' (no ':'; UTC). */
export function logicalDateKey(logicalDate: Date): string {
  // Execution names allow no ':'. Milliseconds are kept only when present, so two runs a
  // fraction of a second apart still get different names.
  const iso = logicalDate.toISOString().replace('.000Z', 'Z');
  return iso.replaceAll(':', '-');
}
