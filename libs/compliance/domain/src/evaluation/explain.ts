import { celError, isCelError, type CelResult } from '@bufbuild/cel';
import type { RuleEffect } from '../policy/policy-rule';
import type { CompiledNode } from './cel-compile';
import { renderValue, toFactValue, type FactValue } from './cel-values';

/** What one evaluated sub-expression gave: its source text and value, or the error it raised. */
export interface ObservedValue {
  readonly expression: string;
  readonly value?: FactValue;
  readonly error?: string;
}

/**
 * One evaluated sub-expression of a rule: its value, the values of its operands (for calls and
 * comparisons: what the rule saw), and the sub-expressions evaluated under it. Sub-expressions
 * CEL's short-circuit did not need are not listed.
 */
export interface ExplainedStep extends ObservedValue {
  readonly operands?: readonly ObservedValue[];
  readonly steps?: readonly ExplainedStep[];
}

export interface Explained {
  readonly result: CelResult;
  readonly step: ExplainedStep;
  /** The leaf steps that decided the value (a false conjunct, the failing comparison, the error). */
  readonly decisive: readonly ExplainedStep[];
}

type Bindings = Record<string, unknown>;

const observe = (expression: string, result: CelResult): ObservedValue =>
  isCelError(result)
    ? { expression, error: result.message }
    : { expression, value: toFactValue(result) };

const typeError = (text: string, result: CelResult): CelResult =>
  isCelError(result) ? result : celError(`${text} is not a boolean`);

const evalLeaf = (node: Extract<CompiledNode, { kind: 'leaf' }>, b: Bindings): Explained => {
  if (node.operands.length === 0 || !node.apply) {
    const result = node.plan(b);
    const step = observe(node.text, result);
    return { result, step, decisive: [step] };
  }
  const values: CelResult[] = [];
  const seen: ObservedValue[] = [];
  let failed: CelResult | undefined;
  for (const operand of node.operands) {
    const value = operand.constant ?? operand.plan(b);
    values.push(value);
    if (operand.constant === undefined) seen.push(observe(operand.text, value));
    if (failed === undefined && isCelError(value)) failed = value;
  }
  let result: CelResult;
  if (failed !== undefined) result = failed;
  else {
    // Method calls are planned as `t.f(a0, …)`, functions and operators as `f(a0, …)`/`a0 op a1`.
    const bound: Bindings = {};
    const args = node.hasTarget ? values.slice(1) : values;
    if (node.hasTarget) bound.t = values[0];
    args.forEach((v, i) => {
      bound[`a${i}`] = v;
    });
    result = node.apply(bound);
  }
  const step: ExplainedStep = { ...observe(node.text, result), operands: seen };
  return { result, step, decisive: [step] };
};

/** Evaluates a compiled rule by CEL's semantics, recording what decided (commutative `&&`/`||`). */
export const explainNode = (node: CompiledNode, b: Bindings): Explained => {
  switch (node.kind) {
    case 'leaf':
      return evalLeaf(node, b);
    case 'not': {
      const inner = explainNode(node.operand, b);
      const result: CelResult =
        typeof inner.result === 'boolean'
          ? !inner.result
          : typeError(node.operand.text, inner.result);
      return {
        result,
        step: { ...observe(node.text, result), steps: [inner.step] },
        decisive: inner.decisive,
      };
    }
    case 'cond': {
      const test = explainNode(node.test, b);
      if (typeof test.result !== 'boolean') {
        const result = node.plan(b);
        return {
          result,
          step: { ...observe(node.text, result), steps: [test.step] },
          decisive: test.decisive,
        };
      }
      const branch = explainNode(test.result ? node.then : node.otherwise, b);
      return {
        result: branch.result,
        step: { ...observe(node.text, branch.result), steps: [test.step, branch.step] },
        decisive: [...test.decisive, ...branch.decisive],
      };
    }
    case 'and':
    case 'or': {
      // `&&` is false as soon as one side is false, `||` true as soon as one side is true, whatever
      // the other side (even an error); otherwise an error on either side is the result.
      const absorbing = node.kind === 'or';
      const left = explainNode(node.left, b);
      if (left.result === absorbing)
        return {
          result: absorbing,
          step: { ...observe(node.text, absorbing), steps: [left.step] },
          decisive: left.decisive,
        };
      const right = explainNode(node.right, b);
      const steps = [left.step, right.step];
      let result: CelResult;
      let decisive: readonly ExplainedStep[];
      if (right.result === absorbing) {
        result = absorbing;
        decisive = right.decisive;
      } else if (left.result === !absorbing && right.result === !absorbing) {
        result = !absorbing;
        decisive = [...left.decisive, ...right.decisive];
      } else if (isCelError(left.result) || typeof left.result !== 'boolean') {
        result = typeError(node.left.text, left.result);
        decisive = left.decisive;
      } else {
        result = typeError(node.right.text, right.result);
        decisive = right.decisive;
      }
      return { result, step: { ...observe(node.text, result), steps }, decisive };
    }
    default: {
      const unknown: never = node;
      return unknown;
    }
  }
};

/** "`facts.approvals.size() >= 2` was false (facts.approvals.size() = 1)". */
export const describeStep = (step: ExplainedStep): string => {
  const seen = (step.operands ?? [])
    .map((o) =>
      o.error !== undefined
        ? `${o.expression}: ${o.error}`
        : `${o.expression} = ${renderValue(o.value ?? null)}`,
    )
    .join(', ');
  const what =
    step.error !== undefined
      ? `\`${step.expression}\` failed: ${step.error}`
      : `\`${step.expression}\` was ${renderValue(step.value ?? null)}`;
  return seen === '' ? what : `${what} (${seen})`;
};

/** `passed`: the expression held; `failed`: it was false; `error`: it could not be evaluated. */
export type RuleOutcome = 'passed' | 'failed' | 'error';

/**
 * A rule's outcome from its trace's root step: the root records the rule's result (an error,
 * or the value: `true`, `false`, or something that is not a boolean).
 */
export const outcomeOf = (trace: ObservedValue): RuleOutcome =>
  trace.error !== undefined
    ? 'error'
    : trace.value === true
      ? 'passed'
      : trace.value === false
        ? 'failed'
        : 'error';

/** The sentence explaining a rule's outcome from the steps that decided it. */
export const reasonOf = (
  outcome: RuleOutcome,
  effect: RuleEffect,
  trace: ObservedValue,
  decisive: readonly ExplainedStep[],
): string => {
  const decided = decisive.map(describeStep).join('; ');
  if (outcome !== 'error') return `${decided}.`;
  return trace.error === undefined
    ? `The expression gave a non-boolean value: ${decided}.`
    : `The rule could not be evaluated, which counts as ${effect === 'block' ? 'a block' : 'a warning'}: ${decided}.`;
};
