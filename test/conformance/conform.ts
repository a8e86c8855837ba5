/**
 * @module conformance/conform
 * Runs a group of conformance cases on every runner: one `describe` per runner, one test per
 * case. A case a runner cannot run says so with its reason in the case (`unsupported`); it is not
 * registered for that runner, and one test per group checks every such exception names a real
 * runner, gives a reason and leaves the case at least one runner.
 */
import { describe, expect, it } from 'vitest';
import type { CaseGroup } from './case.ts';
import { runners, type Runner } from './runners.ts';

export function conform(group: CaseGroup, on: readonly Runner[] = runners): void {
  describe.each(on)(`conformance: ${group.name} on $name`, (runner) => {
    for (const c of group.cases) {
      if (c.unsupported?.[runner.name] === undefined) it(c.name, () => c.test(runner.run));
    }
  });
  it(`conformance: ${group.name}: every case runs on a runner, every exception says why`, () => {
    const names = on.map((r) => r.name);
    for (const c of group.cases) {
      const exceptions = Object.entries(c.unsupported ?? {});
      for (const [runner, reason] of exceptions) {
        expect(names, `${c.name}: unknown runner "${runner}"`).toContain(runner);
        expect(reason.length, `${c.name}: the reason it cannot run on ${runner}`).toBeGreaterThan(
          20,
        );
      }
      expect(exceptions.length, `${c.name} runs on no runner`).toBeLessThan(names.length);
    }
  });
}
