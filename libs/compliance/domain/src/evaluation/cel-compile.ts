import { celEnv, isCelError, parse, plan, type CelResult } from '@bufbuild/cel';
import { ValidationError } from '@trainyard/kernel';
import type { PolicyRule } from '../policy/policy-rule';
import { toCelInput, type Facts } from './cel-values';

/** The CEL AST node type, as @bufbuild/cel's parser returns it. */
export type CelExpr = ReturnType<typeof parse>['expr'];
type Parsed = ReturnType<typeof parse>;
type Bindings = Record<string, unknown>;
export type Planned = (bindings: Bindings) => CelResult;

const ENV = celEnv({});
const planOf = (expr: CelExpr): Planned => plan(ENV, expr) as unknown as Planned;

/**
 * A compiled sub-expression. `and`/`or`/`not`/`cond` are explained through their children;
 * a `leaf` (comparison, `in`, call, macro, field) is evaluated and, when it is a function call,
 * its operands' values are recorded: what the rule "saw".
 */
export type CompiledNode =
  | {
      readonly kind: 'and' | 'or';
      readonly text: string;
      readonly left: CompiledNode;
      readonly right: CompiledNode;
    }
  | { readonly kind: 'not'; readonly text: string; readonly operand: CompiledNode }
  | {
      readonly kind: 'cond';
      readonly text: string;
      readonly test: CompiledNode;
      readonly then: CompiledNode;
      readonly otherwise: CompiledNode;
      readonly plan: Planned;
    }
  | {
      readonly kind: 'leaf';
      readonly text: string;
      readonly plan: Planned;
      /** Non-constant operands of a call, in order (target first). */
      readonly operands: readonly Operand[];
      /** The call applied to its operands' values (`a0 >= a1`), when the function has such a form. */
      readonly apply?: Planned;
      /** Whether the first operand is a method call's target (`t` in `apply`). */
      readonly hasTarget: boolean;
    };

export interface Operand {
  readonly text: string;
  readonly plan: Planned;
  /** Present for literals: evaluated once at compile time and not reported. */
  readonly constant?: CelResult;
}

export interface CompiledRule {
  readonly rule: PolicyRule;
  readonly root: CompiledNode;
  /** The whole expression, planned: the raw evaluation the benchmark compares against. */
  readonly plan: Planned;
}

const BINARY: Record<string, string> = {
  '_==_': '==',
  '_!=_': '!=',
  '_<_': '<',
  '_<=_': '<=',
  '_>_': '>',
  '_>=_': '>=',
  '_+_': '+',
  '_-_': '-',
  '_*_': '*',
  '_/_': '/',
  '_%_': '%',
  '@in': 'in',
};
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

const applyCache = new Map<string, Planned>();
/** `a0 >= a1`, `t.startsWith(a0)`, `size(a0)`: the function applied to bound operand values. */
const applyPlan = (fn: string, hasTarget: boolean, arity: number): Planned | undefined => {
  const key = `${fn}/${hasTarget ? 't' : ''}${arity}`;
  const cached = applyCache.get(key);
  if (cached) return cached;
  const args = Array.from({ length: arity }, (_, i) => `a${i}`);
  let text: string | undefined;
  if (!hasTarget && arity === 2 && BINARY[fn]) text = `a0 ${BINARY[fn]} a1`;
  else if (!hasTarget && arity === 2 && fn === '_[_]') text = 'a0[a1]';
  else if (!hasTarget && arity === 1 && fn === '-_') text = '-a0';
  else if (IDENT.test(fn))
    text = hasTarget ? `t.${fn}(${args.join(', ')})` : `${fn}(${args.join(', ')})`;
  if (text === undefined) return undefined;
  const planned = planOf(parse(text).expr);
  applyCache.set(key, planned);
  return planned;
};

/** Every node id under `expr` (itself included), for source spans. */
const forEachNode = (expr: CelExpr, visit: (node: CelExpr) => void): void => {
  visit(expr);
  const k = expr.exprKind;
  switch (k.case) {
    case 'selectExpr':
      if (k.value.operand) forEachNode(k.value.operand, visit);
      return;
    case 'callExpr':
      if (k.value.target) forEachNode(k.value.target, visit);
      k.value.args.forEach((a) => forEachNode(a, visit));
      return;
    case 'listExpr':
      k.value.elements.forEach((e) => forEachNode(e, visit));
      return;
    case 'structExpr':
      k.value.entries.forEach((e) => {
        if (e.keyKind.case === 'mapKey') forEachNode(e.keyKind.value, visit);
        if (e.value) forEachNode(e.value, visit);
      });
      return;
    case 'comprehensionExpr': {
      const c = k.value;
      for (const part of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result])
        if (part) forEachNode(part, visit);
      return;
    }
    default:
      return;
  }
};

const TOKEN =
  /^(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[uU]?|\.?[A-Za-z_][A-Za-z_0-9]*|\S)/;
const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** The source text of a sub-expression, from the parser's positions (as the author wrote it). */
const sourceText = (source: string, parsed: Parsed, expr: CelExpr): string => {
  const positions = parsed.sourceInfo?.positions ?? {};
  let start = Number.POSITIVE_INFINITY;
  let last = -1;
  forEachNode(expr, (node) => {
    const p = (positions as Record<string, number>)[String(node.id)];
    if (p === undefined) return;
    start = Math.min(start, p);
    last = Math.max(last, p);
  });
  if (!Number.isFinite(start) || last < 0) return source.trim();
  const token = TOKEN.exec(source.slice(last));
  let end = last + (token ? token[0].length : 1);
  let depth = 0;
  const count = (from: number, to: number): void => {
    let quote: string | undefined;
    for (let i = from; i < to; i++) {
      const ch = source[i] as string;
      if (quote) {
        if (ch === '\\') i++;
        else if (ch === quote) quote = undefined;
      } else if (ch === "'" || ch === '"') quote = ch;
      else if (OPEN.has(ch)) depth++;
      else if (CLOSE.has(ch)) depth--;
    }
  };
  count(start, end);
  // A call's node sits on its name: take its argument list; then close what is still open.
  while (end < source.length && (depth > 0 || /^\s*\(/.test(source.slice(end, end + 64)))) {
    const before = depth;
    count(end, end + 1);
    end++;
    if (depth === 0 && before > 0) break;
  }
  // Leading `(` that belong to this node: `!(a in b)` starts at `!`, which is fine; a bare `(x)` is not.
  return source.slice(start, end).trim();
};

const compileNode = (source: string, parsed: Parsed, expr: CelExpr): CompiledNode => {
  const text = sourceText(source, parsed, expr);
  if (expr.exprKind.case === 'callExpr') {
    const call = expr.exprKind.value;
    const [a0, a1, a2] = call.args;
    if (
      (call.function === '_&&_' || call.function === '_||_') &&
      a0 &&
      a1 &&
      call.args.length === 2
    )
      return {
        kind: call.function === '_&&_' ? 'and' : 'or',
        text,
        left: compileNode(source, parsed, a0),
        right: compileNode(source, parsed, a1),
      };
    if (call.function === '!_' && a0 && call.args.length === 1)
      return { kind: 'not', text, operand: compileNode(source, parsed, a0) };
    if (call.function === '_?_:_' && a0 && a1 && a2)
      return {
        kind: 'cond',
        text,
        test: compileNode(source, parsed, a0),
        then: compileNode(source, parsed, a1),
        otherwise: compileNode(source, parsed, a2),
        plan: planOf(expr),
      };
    const operandExprs = [...(call.target ? [call.target] : []), ...call.args];
    const operands = operandExprs.map((e): Operand => {
      const p = planOf(e);
      const literal = e.exprKind.case === 'constExpr';
      return {
        text: sourceText(source, parsed, e),
        plan: p,
        ...(literal ? { constant: p({}) } : {}),
      };
    });
    const apply = applyPlan(call.function, call.target !== undefined, call.args.length);
    return {
      kind: 'leaf',
      text,
      plan: planOf(expr),
      operands,
      hasTarget: call.target !== undefined,
      ...(apply ? { apply } : {}),
    };
  }
  return { kind: 'leaf', text, plan: planOf(expr), operands: [], hasTarget: false };
};

/** Identifiers a rule may use: `facts`, and the variables its own macros bind. */
const assertKnownIdentifiers = (field: string, expr: CelExpr, scope: ReadonlySet<string>): void => {
  const k = expr.exprKind;
  switch (k.case) {
    case 'identExpr':
      if (!scope.has(k.value.name))
        throw new ValidationError(
          field,
          `${field} refers to ${k.value.name}, which is not defined; rules read the change through facts.`,
        );
      return;
    case 'comprehensionExpr': {
      const c = k.value;
      if (c.iterRange) assertKnownIdentifiers(field, c.iterRange, scope);
      if (c.accuInit) assertKnownIdentifiers(field, c.accuInit, scope);
      const inner = new Set([...scope, c.iterVar, c.iterVar2, c.accuVar].filter((v) => v !== ''));
      for (const part of [c.loopCondition, c.loopStep, c.result])
        if (part) assertKnownIdentifiers(field, part, inner);
      return;
    }
    case 'selectExpr':
      if (k.value.operand) assertKnownIdentifiers(field, k.value.operand, scope);
      return;
    case 'callExpr':
      if (k.value.target) assertKnownIdentifiers(field, k.value.target, scope);
      k.value.args.forEach((a) => assertKnownIdentifiers(field, a, scope));
      return;
    case 'listExpr':
      k.value.elements.forEach((e) => assertKnownIdentifiers(field, e, scope));
      return;
    case 'structExpr':
      k.value.entries.forEach((e) => {
        if (e.keyKind.case === 'mapKey') assertKnownIdentifiers(field, e.keyKind.value, scope);
        if (e.value) assertKnownIdentifiers(field, e.value, scope);
      });
      return;
    default:
      return;
  }
};

const FACTS_SCOPE: ReadonlySet<string> = new Set(['facts']);

/** Calls outside macros, to type-check each against a sample of the trigger's facts. */
const checkableCalls = (node: CompiledNode, out: CompiledNode[] = []): CompiledNode[] => {
  out.push(node);
  if (node.kind === 'and' || node.kind === 'or') {
    checkableCalls(node.left, out);
    checkableCalls(node.right, out);
  } else if (node.kind === 'not') checkableCalls(node.operand, out);
  else if (node.kind === 'cond') {
    checkableCalls(node.test, out);
    checkableCalls(node.then, out);
    checkableCalls(node.otherwise, out);
  }
  return out;
};

const planOfNode = (node: CompiledNode): Planned | undefined =>
  node.kind === 'leaf' || node.kind === 'cond' ? node.plan : undefined;

/**
 * Parses, resolves and type-checks a rule's expression, or throws a `ValidationError` naming
 * `field` (`rules[2].expression`). Type-checking: only `facts` and macro variables are defined, and
 * every sub-expression outside macros is tried on a typed sample of each trigger's facts; a
 * "no matching overload" (`'a' + 1`, `facts.jobSize > 'x'`) or a non-boolean result is refused.
 */
export const compileRule = (
  rule: PolicyRule,
  field: string,
  samples: readonly Facts[],
): CompiledRule => {
  let parsed: Parsed;
  try {
    parsed = parse(rule.expression);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 200) : '';
    throw new ValidationError(field, `${field} is not a valid CEL expression: ${detail}.`);
  }
  assertKnownIdentifiers(field, parsed.expr, FACTS_SCOPE);
  const root = compileNode(rule.expression, parsed, parsed.expr);
  const whole = planOf(parsed.expr);
  for (const sample of samples) {
    const bindings = { facts: toCelInput(sample) };
    for (const node of checkableCalls(root)) {
      const p = planOfNode(node);
      if (!p) continue;
      const result = p(bindings);
      if (isCelError(result) && /no matching overload|no such overload/i.test(result.message))
        throw new ValidationError(
          field,
          `${field} does not type-check: ${node.text} has ${result.message}.`,
        );
    }
    const result = whole(bindings);
    if (!isCelError(result) && typeof result !== 'boolean')
      throw new ValidationError(field, `${field} must evaluate to a boolean.`);
  }
  return { rule, root, plan: whole };
};
