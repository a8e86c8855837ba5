// Types for asl-validator (CommonJS, ships none).
declare module 'asl-validator' {
  interface AslValidatorResult {
    readonly isValid: boolean;
    readonly errors: readonly { readonly 'Error code': string; readonly Message: string }[];
    readonly errorsText: (separator?: string) => string;
  }
  function validator(
    definition: unknown,
    options?: { readonly checkPaths?: boolean; readonly checkArn?: boolean },
  ): AslValidatorResult;
  export = validator;
}
