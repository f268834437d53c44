/**
 * How an event reaches each function of a template, read from its resources: an EventBridge rule
 * (AWS::Events::Rule) targeting a queue (AWS::SQS::Queue, with its redrive policy) that an event
 * source mapping (AWS::Lambda::EventSourceMapping) polls for the function; or, for a function with
 * SAM EventBridgeRule events of its own, the rule invoking it directly. Settings are resolved with
 * the template's parameter defaults and any overrides, as a deployment would see them.
 */

import { isRecord } from '../../domain/json.ts';
import { resolveIntrinsics } from './intrinsics.ts';
import { type FunctionSpec, parameterDefaults, type Template, TemplateError } from './template.ts';

/** The event source mapping and queue settings that shape delivery. */
export interface MappingSettings {
  readonly batchSize: number;
  readonly windowSeconds: number;
  /** ScalingConfig.MaximumConcurrency; Lambda's default without one is the account's concurrency (∞ here). */
  readonly maximumConcurrency: number;
  readonly visibilityTimeoutSeconds: number;
  /** The redrive policy's maxReceiveCount (∞ without a dead-letter queue). */
  readonly maxReceiveCount: number;
}

export interface DeliveryPath {
  readonly fn: FunctionSpec;
  /** The EventPattern of every rule that reaches the function. */
  readonly patterns: readonly unknown[];
  readonly ruleIds: readonly string[];
  /** The queue between the rules and the function; absent when the rules invoke it directly. */
  readonly queue?: {
    readonly logicalId: string;
    readonly deadLetterQueue?: string;
    readonly mapping: MappingSettings;
  };
  /** The template condition the path exists under (the function's). */
  readonly condition?: string;
}

const getAttOf = (value: unknown, attribute: string): string | undefined => {
  const getAtt = isRecord(value) ? value['Fn::GetAtt'] : undefined;
  return Array.isArray(getAtt) && getAtt[1] === attribute && typeof getAtt[0] === 'string'
    ? getAtt[0]
    : undefined;
};

const refOf = (value: unknown): string | undefined =>
  isRecord(value) && typeof value.Ref === 'string' ? value.Ref : undefined;

/** Lambda's and SQS's defaults for what a template leaves out. */
const DEFAULTS = { batchSize: 10, windowSeconds: 0, visibilityTimeoutSeconds: 30 } as const;

export const deliveryPathsOf = (
  template: Template,
  functions: readonly FunctionSpec[],
  parameterOverrides: Readonly<Record<string, string>> = {},
): DeliveryPath[] => {
  const parameters = { ...parameterDefaults(template), ...parameterOverrides };
  const resources = Object.entries(template.body.Resources);
  const number = (value: unknown, where: string, fallback: number): number => {
    if (value === undefined) return fallback;
    const resolved = Number(resolveIntrinsics(template, value, { parameters }));
    if (!Number.isFinite(resolved) || resolved < 0) throw new TemplateError(`${where} must be a number ≥ 0`);
    return resolved;
  };
  const rulesTargeting = (queueId: string) =>
    resources.filter(
      ([, r]) =>
        r.Type === 'AWS::Events::Rule' &&
        Array.isArray(r.Properties?.Targets) &&
        r.Properties.Targets.some((t: unknown) => isRecord(t) && getAttOf(t.Arn, 'Arn') === queueId),
    );

  return functions.map((fn): DeliveryPath => {
    const condition = fn.condition === undefined ? {} : { condition: fn.condition };
    const mapping = resources.find(
      ([, r]) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' && refOf(r.Properties?.FunctionName) === fn.logicalId,
    );
    const queueId =
      mapping === undefined ? undefined : getAttOf(mapping[1].Properties?.EventSourceArn, 'Arn');
    const queue = queueId === undefined ? undefined : template.body.Resources[queueId];
    if (mapping === undefined || queueId === undefined || queue?.Type !== 'AWS::SQS::Queue') {
      return {
        fn,
        patterns: fn.rules.map((rule) => rule.pattern),
        ruleIds: fn.rules.map((rule) => `${fn.logicalId}.${rule.eventId}`),
        ...condition,
      };
    }
    const where = `Resources.${mapping[0]}.Properties`;
    const m = mapping[1].Properties ?? {};
    const scaling = isRecord(m.ScalingConfig) ? m.ScalingConfig : {};
    const q = queue.Properties ?? {};
    const redrive = isRecord(q.RedrivePolicy) ? q.RedrivePolicy : undefined;
    const rules = rulesTargeting(queueId);
    return {
      fn,
      patterns: rules.map(([, r]) => r.Properties?.EventPattern),
      ruleIds: rules.map(([id]) => id),
      queue: {
        logicalId: queueId,
        ...(redrive === undefined
          ? {}
          : { deadLetterQueue: getAttOf(redrive.deadLetterTargetArn, 'Arn') ?? '' }),
        mapping: {
          batchSize: number(m.BatchSize, `${where}.BatchSize`, DEFAULTS.batchSize),
          windowSeconds: number(
            m.MaximumBatchingWindowInSeconds,
            `${where}.MaximumBatchingWindowInSeconds`,
            0,
          ),
          maximumConcurrency: number(
            scaling.MaximumConcurrency,
            `${where}.ScalingConfig`,
            Number.POSITIVE_INFINITY,
          ),
          visibilityTimeoutSeconds: number(
            q.VisibilityTimeout,
            `Resources.${queueId}.Properties.VisibilityTimeout`,
            DEFAULTS.visibilityTimeoutSeconds,
          ),
          maxReceiveCount: number(
            redrive?.maxReceiveCount,
            `Resources.${queueId}.Properties.RedrivePolicy.maxReceiveCount`,
            Number.POSITIVE_INFINITY,
          ),
        },
      },
      ...condition,
    };
  });
};
