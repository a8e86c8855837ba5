/**
 * @module compiler
 * The compiler's public surface: `compileDag` (validated IR → ASL + manifest + analysis) and
 * `linkDags` for the code that must compile (CLI, loader, engine, infra), and the contract
 * (compiler/contract) that the code running compiled machines may know. Everything else in
 * src/compiler is internal.
 */
export {
  compileDag,
  COMPILER_VERSION,
  type CompileOptions,
  type CompileResult,
} from './compile.ts';
export type { Analysis } from './analysis.ts';
export type { SpNode, SpResult } from './sp-decompose.ts';
export { linkDags } from './link.ts';
export * from './contract.ts';
