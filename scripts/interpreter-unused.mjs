/**
 * What aws-local-stepfunctions imports but the engine never calls, in place of it in `dist/`
 * (scripts/build.mjs): the engine answers every Task state with a local handler (never the
 * Lambda client) and builds machines with `noValidate` (the compiler's ASL is checked at compile
 * time and by the tests). Loading them cost ≈ 0.3 s of CPU per `updraft run` (bench/startup.ts).
 */
function unused(what) {
  throw new Error(
    `${what} is left out of Updraft's bundled interpreter (scripts/interpreter-unused.mjs): the embedded engine answers every Task state locally and never validates at run time`,
  );
}

export default function aslValidator() {
  unused('asl-validator');
}

export class LambdaClient {
  constructor() {
    unused('The Lambda client');
  }
}

export class InvokeCommand {
  constructor() {
    unused('The Lambda client');
  }
}

export function fromCognitoIdentityPool() {
  unused('Cognito credentials');
}
