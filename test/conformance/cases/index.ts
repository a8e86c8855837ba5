/**
 * @module conformance/cases
 * Every group of conformance cases, for a runner that runs them all (the opt-in AWS runner to
 * come); each `<group>.test.ts` beside this folder runs one group on every runner.
 */
export { branching } from './branching.ts';
export { data } from './data.ts';
export { failures } from './failures.ts';
export { groups } from './groups.ts';
export { mapping } from './mapping.ts';
export { operators } from './operators.ts';
export { resume } from './resume.ts';
export { retries } from './retries.ts';
export { sensors } from './sensors.ts';
export { setupTeardown } from './setup-teardown.ts';
export { sizes } from './sizes.ts';
