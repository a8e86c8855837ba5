/**
 * @module ir
 * The validated intermediate representation: types, graph helpers, validation and problems.
 */
export * from './types.ts';
export { adjacency, findCycles, topologicalOrder, type Adjacency } from './graph.ts';
export { ProblemCollector, didYouMean, suggest } from './problems.ts';
export {
  PROBLEM_CODES,
  countBySeverity,
  formatProblem,
  formatProblems,
  isProblemCode,
} from '../problems.ts';
export { validateDag, validateProject } from './validate.ts';
export { escapeTemplateText, templateParts } from './format.ts';
