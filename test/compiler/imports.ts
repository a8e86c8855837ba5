/** The SDK and IR names the compiler tests use, in one import. */
export * from '../../src/sdk/index.ts';
export { TRIGGER_RULES } from '../../src/ir/types.ts';
