/**
 * @module compiler/asl
 * The slice of the Amazon States Language (JSONPath query language) the compiler emits, as
 * TypeScript types. Field order here is the order renderers write them in, so output is stable.
 */

/** The Lambda invoke integration (the task runner, lambdaInvoke operators). */
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A Choice rule (data-test expression or boolean combinator). */
export type ChoiceRule =
  | { readonly And: readonly ChoiceRule[] }
  | { readonly Or: readonly ChoiceRule[] }
  | { readonly Not: ChoiceRule }
  | { readonly Variable: string; readonly StringEquals: string }
  | { readonly Variable: string; readonly BooleanEquals: boolean }
  | { readonly Variable: string; readonly NumericEquals: number }
  | { readonly Variable: string; readonly NumericGreaterThan: number }
  | { readonly Variable: string; readonly IsPresent: boolean }
  | { readonly Variable: string; readonly IsString: boolean }
  | { readonly Variable: string; readonly IsNull: boolean };

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  /** Left out when 1, 3 and 2.0, the States Language's defaults. */
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  /** null: the state's input goes on as it was. */
  readonly ResultPath: string | null;
  readonly Next: string;
}

export type State =
  | {
      readonly Type: 'Task';
      readonly Comment?: string;
      readonly Resource: string;
      readonly Parameters?: JsonValue;
      readonly TimeoutSeconds?: number;
      readonly ResultSelector?: JsonValue;
      readonly ResultPath?: string | null;
      readonly OutputPath?: string;
      readonly Retry?: readonly Retrier[];
      readonly Catch?: readonly Catcher[];
      readonly Next?: string;
      readonly End?: true;
    }
  | {
      readonly Type: 'Pass';
      readonly Comment?: string;
      readonly InputPath?: string;
      readonly Parameters?: JsonValue;
      readonly Result?: JsonValue;
      readonly ResultPath?: string | null;
      readonly OutputPath?: string;
      readonly Next?: string;
      readonly End?: true;
    }
  | {
      readonly Type: 'Choice';
      readonly Comment?: string;
      readonly Choices: readonly (ChoiceRule & { readonly Next: string })[];
      readonly Default: string;
    }
  | {
      readonly Type: 'Wait';
      readonly Comment?: string;
      readonly Seconds?: number;
      readonly SecondsPath?: string;
      readonly TimestampPath?: string;
      readonly Next?: string;
      readonly End?: true;
    }
  | {
      readonly Type: 'Parallel';
      readonly Comment?: string;
      readonly Branches: readonly StateMachine[];
      readonly ResultSelector?: JsonValue;
      readonly ResultPath?: string | null;
      readonly Next?: string;
      readonly End?: true;
    }
  | {
      readonly Type: 'Map';
      readonly Comment?: string;
      /** The list in the state's input (a Distributed Map reading an ItemReader has none). */
      readonly ItemsPath?: string;
      /** Distributed only: where the items are read from (a JSON array in S3). */
      readonly ItemReader?: {
        readonly Resource: string;
        readonly ReaderConfig: { readonly InputType: 'JSON' };
        readonly Parameters: JsonValue;
      };
      readonly ItemSelector?: JsonValue;
      readonly MaxConcurrency?: number;
      readonly ItemProcessor: StateMachine & {
        readonly ProcessorConfig:
          | { readonly Mode: 'INLINE' }
          | { readonly Mode: 'DISTRIBUTED'; readonly ExecutionType: 'STANDARD' };
      };
      /** Distributed only: the child executions' results go to S3 (the state's result says where). */
      readonly ResultWriter?: { readonly Resource: string; readonly Parameters: JsonValue };
      /** Distributed only: the Map Run fails once more child executions failed. */
      readonly ToleratedFailureCount?: number;
      readonly ToleratedFailurePercentage?: number;
      /** The percentage at a path of the state's input (a resumed run's, scaled: runtime/resume). */
      readonly ToleratedFailurePercentagePath?: string;
      readonly ResultSelector?: JsonValue;
      readonly ResultPath?: string | null;
      readonly OutputPath?: string;
      readonly Catch?: readonly Catcher[];
      readonly Next?: string;
      readonly End?: true;
    }
  | { readonly Type: 'Succeed'; readonly Comment?: string }
  | ({
      readonly Type: 'Fail';
      readonly Comment?: string;
    } & (
      | { readonly Error: string; readonly Cause: string }
      /** The error and cause read from the state's input. */
      | { readonly ErrorPath: string; readonly CausePath: string }
    ));

export interface StateMachine {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, State>>;
  readonly TimeoutSeconds?: number;
}
