/**
 * @module infra/nag
 * cdk-nag's AwsSolutions pack on every Updraft app, and the one way findings are acknowledged:
 * each finding by its full id (`AwsSolutions-IAM5[Resource::*]`), never a whole rule, always
 * with the reason a reviewer needs. `nagReport` runs the pack on a scope and returns what is not
 * acknowledged (tests and `updraft deploy` checks).
 */
import { Validations, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
// cdk-nag's own rendering of a resolved ARN (`arn:<AWS::Partition>:…`), the form its findings name.
import { flattenCfnReference as flatten } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';

/** A resolved CloudFormation value as cdk-nag writes it in a finding (`Resource::<this>`). */
export const flattenCfnReference: (resolved: unknown) => string = flatten;

export interface Finding {
  /** Rule id, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** The finding parts (`Resource::*`, `Action::xray:*`); none acknowledges the rule's single finding. */
  readonly appliesTo?: readonly string[];
  readonly reason: string;
}

export function suppress(scope: IConstruct, findings: readonly Finding[]): void {
  const v = Validations.of(scope);
  for (const f of findings) {
    if (!f.appliesTo || f.appliesTo.length === 0) v.acknowledge({ id: f.id, reason: f.reason });
    else
      for (const part of f.appliesTo) v.acknowledge({ id: `${f.id}[${part}]`, reason: f.reason });
  }
}

/** Adds the AwsSolutions checks to an app's synthesis (findings fail `cdk synth`). */
export function addNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** The unacknowledged findings of a scope, as `path: rule — description` lines. */
export function nagReport(scope: IConstruct): {
  readonly report: PolicyValidationPluginReport;
  readonly lines: string[];
} {
  const report = new AwsSolutionsChecks(scope).validateScope(scope);
  const lines = report.violations.flatMap((v) =>
    v.violatingResources.map(
      (r) =>
        `${r.locations.join(',') || r.resourceLogicalId}: ${v.ruleName} — ${v.description.split('\n')[0]}`,
    ),
  );
  return { report, lines };
}
