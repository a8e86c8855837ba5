/**
 * The CDK app (`cdk.json` → here). The AWS deployment — platform stack, one construct per DAG,
 * `cdk deploy` — is the next milestones' work (see README "Status / roadmap"); until then this
 * entry point says so plainly instead of synthesizing an empty or partial stack.
 */
console.error(
  '✖ Updraft cannot deploy to AWS yet: the compiler and the CDK app are not built (see README, "Status / roadmap").\n' +
    '    ↳ validate and inspect your DAGs meanwhile: npx updraft validate, npx updraft list, npx updraft graph <dag>',
);
process.exitCode = 1;
