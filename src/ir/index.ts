/**
 * @module ir
 * The validated intermediate representation: types, graph helpers, validation and problems.
 */
export * from './types.ts';
export { adjacency, findCycles, topologicalOrder, type Adjacency } from './graph.ts';
export { ProblemCollector, countBySeverity, didYouMean, formatProblem, suggest } from './problems.ts';
export { validateDag, validateProject } from './validate.ts';
export { escapeTemplateText, templateParts } from './format.ts';
