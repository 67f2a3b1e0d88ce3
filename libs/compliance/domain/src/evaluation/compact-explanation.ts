import type { RuleEffect } from '../policy/policy-rule';
import type { Facts, FactValue } from './cel-values';
import { outcomeOf, reasonOf, type ExplainedStep, type ObservedValue } from './explain';
import type { RuleExplanation } from './evaluate';

/**
 * The rule-by-rule explanation as `PolicyEvaluated` (schema version 2) stores it: one JSON text
 * holding everything `RuleExplanation[]` holds, without what the event already says elsewhere
 * (issue 13). PostgreSQL builds a jsonb value per JSON token (about 0.1–0.3 µs each); the v1
 * explanation was some 500 tokens and 5.7 KB per evaluation of ten rules, most of the append's
 * time, while one string of about 2 KB costs it a few microseconds.
 *
 * The text is a JSON array with one entry per rule, in bundle order. An entry is either a
 * `RuleExplanation` object verbatim (what the v1 upcaster stores) or the array
 * `[ruleId, description, effect, controls, trace]`, where `trace` is a step:
 *
 *   `[flags, text, value?, operands?, steps?]`
 *
 * - `flags`: 1 the step decided the outcome (it is in `decidedBy`); 2 its value is the fact at the
 *   path `text` (`facts.approvals`), not repeated; 4 the step failed and `value` is the message.
 * - `text`: the root step's source text as a string; a descendant's as `[start, end]` into it, or
 *   as a string when it is not a substring of it.
 * - `operands`, `steps`: arrays of steps; `0` in the operands slot when a step has steps only.
 *
 * Outcome, `reason` and `decidedBy` are not stored: they follow from the trace exactly as the
 * explainer derives them (`outcomeOf`, `reasonOf`), and the round trip is tested against it.
 */
export type CompactExplanation = string;

type CompactText = string | readonly [number, number];
type CompactStep = readonly unknown[];
type CompactRule = readonly [string, string, RuleEffect, readonly string[], CompactStep];

const DECISIVE = 1;
const FROM_FACTS = 2;
const ERROR = 4;

const FACT_PATH = /^facts((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$/;

// A rule's sub-expression texts recur in every evaluation of it: their paths are parsed once.
const MAX_PATHS = 10_000;
const paths = new Map<string, readonly string[] | null>();
const pathOf = (text: string): readonly string[] | null => {
  let path = paths.get(text);
  if (path === undefined) {
    const match = text.startsWith('facts.') ? FACT_PATH.exec(text) : null;
    path = match ? (match[1] as string).slice(1).split('.') : null;
    if (paths.size >= MAX_PATHS) paths.clear();
    paths.set(text, path);
  }
  return path;
};

/** The fact at a `facts.a.b` path, or undefined (not a plain path, or missing). */
const factAt = (facts: Facts, text: string): FactValue | undefined => {
  const path = pathOf(text);
  if (path === null) return undefined;
  let value: FactValue | undefined = facts;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const object = value as { readonly [key: string]: FactValue };
    if (!Object.hasOwn(object, key)) return undefined;
    value = object[key];
  }
  return value;
};

/** JSON equality, key order included: an elided value must decode to exactly what was seen. */
const sameJson = (a: FactValue | undefined, b: FactValue | undefined): boolean => {
  if (a === b) return a !== undefined;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    const la = a as readonly FactValue[];
    const lb = b as readonly FactValue[];
    if (la.length !== lb.length) return false;
    for (let i = 0; i < la.length; i++) if (!sameJson(la[i], lb[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const oa = a as { readonly [key: string]: FactValue };
  const ob = b as { readonly [key: string]: FactValue };
  for (let i = 0; i < ka.length; i++)
    if (ka[i] !== kb[i] || !sameJson(oa[ka[i] as string], ob[kb[i] as string])) return false;
  return true;
};

const encodeStep = (
  step: ExplainedStep,
  root: string | undefined,
  facts: Facts,
  decisive: readonly ExplainedStep[],
): CompactStep => {
  let text: CompactText = step.expression;
  if (root !== undefined) {
    const start = root.indexOf(step.expression);
    if (start >= 0) text = [start, start + step.expression.length];
  }
  let flags = decisive.includes(step) ? DECISIVE : 0;
  const out: unknown[] = [0, text];
  if (step.error !== undefined) {
    flags |= ERROR;
    out.push(step.error);
  } else if (sameJson(step.value, factAt(facts, step.expression))) flags |= FROM_FACTS;
  else out.push(step.value ?? null);
  out[0] = flags;
  const rootText = root ?? step.expression;
  if (step.operands !== undefined || step.steps !== undefined) {
    if (flags & FROM_FACTS) out.push(0); // keeps the operands slot in place
    out.push(
      step.operands === undefined
        ? 0
        : step.operands.map((o) => encodeStep(o, rootText, facts, decisive)),
    );
    if (step.steps !== undefined)
      out.push(step.steps.map((s) => encodeStep(s, rootText, facts, decisive)));
  }
  return out;
};

/** One rule's explained trace with the steps that decided it, encoded as a compact entry. */
export const compactRule = (
  rule: {
    readonly id: string;
    readonly description: string;
    readonly effect: RuleEffect;
    readonly controls: readonly string[];
  },
  trace: ExplainedStep,
  decisive: readonly ExplainedStep[],
  facts: Facts,
): CompactRule => [
  rule.id,
  rule.description,
  rule.effect,
  rule.controls,
  encodeStep(trace, undefined, facts, decisive),
];

/** The stored text of a rule-by-rule explanation: compact entries or v1 explanations verbatim. */
export const compactExplanation = (
  rules: readonly (CompactRule | RuleExplanation)[],
): CompactExplanation => JSON.stringify(rules);

const decodeStep = (
  step: CompactStep,
  root: string | undefined,
  facts: Facts,
  decisive: ExplainedStep[],
): ExplainedStep => {
  const flags = step[0] as number;
  const text = step[1] as CompactText;
  const expression = typeof text === 'string' ? text : (root ?? '').slice(text[0], text[1]);
  const fromFacts = (flags & FROM_FACTS) !== 0;
  const observed: ObservedValue =
    flags & ERROR
      ? { expression, error: step[2] as string }
      : {
          expression,
          value: fromFacts ? (factAt(facts, expression) ?? null) : (step[2] as FactValue),
        };
  const rootText = root ?? expression;
  const operands = step[3];
  const steps = step[4];
  const decoded: ExplainedStep = {
    ...observed,
    ...(Array.isArray(operands)
      ? { operands: (operands as CompactStep[]).map((o) => decodeStep(o, rootText, facts, [])) }
      : {}),
    ...(Array.isArray(steps)
      ? { steps: (steps as CompactStep[]).map((s) => decodeStep(s, rootText, facts, decisive)) }
      : {}),
  };
  // Decisive steps are leaves, listed in the order the explainer found them: depth first.
  if (flags & DECISIVE) decisive.push(decoded);
  return decoded;
};

const decodeRule = (entry: CompactRule | RuleExplanation, facts: Facts): RuleExplanation => {
  if (!Array.isArray(entry)) return entry as RuleExplanation;
  const [ruleId, description, effect, controls, compactTrace] = entry as CompactRule;
  const decisive: ExplainedStep[] = [];
  const trace = decodeStep(compactTrace, undefined, facts, decisive);
  const outcome = outcomeOf(trace);
  return {
    ruleId,
    description,
    effect,
    controls,
    outcome,
    reason: reasonOf(outcome, effect, trace, decisive),
    decidedBy: decisive.map((step) => step.expression),
    trace,
  };
};

/** The rule-by-rule explanation a stored compact explanation holds, given the event's facts. */
export const expandExplanation = (
  explanation: CompactExplanation,
  facts: Facts,
): readonly RuleExplanation[] =>
  (JSON.parse(explanation) as (CompactRule | RuleExplanation)[]).map((entry) =>
    decodeRule(entry, facts),
  );
