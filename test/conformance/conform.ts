/**
 * @module conformance/conform
 * Runs a group of conformance cases on every runner: one `describe` per runner, one test per
 * case; a case a runner cannot run is reported skipped with its reason, never left out.
 */
import { describe, it } from 'vitest';
import type { CaseGroup } from './case.ts';
import { runners, type Runner } from './runners.ts';

export function conform(group: CaseGroup, on: readonly Runner[] = runners): void {
  describe.each(on)(`conformance: ${group.name} on $name`, (runner) => {
    for (const c of group.cases) {
      const reason = c.unsupported?.[runner.name];
      if (reason !== undefined)
        it.skip(`${c.name} (not on ${runner.name}: ${reason})`, () => undefined);
      else it(c.name, () => c.test(runner.run));
    }
  });
}
