import { canonicalJson } from './canonical-json';

/**
 * canonicalJson(JSON.parse(text)), byte for byte, for every text, without building the value: the
 * sealer's input is jsonb's text output, and parsing it into objects only to sort and write them
 * again cost more than the SHA-256 of the result.
 *
 * The fast path copies tokens and sorts each object's members by key. It is exact where
 * canonicalJson's own fast path is: a string without a backslash, control character or surrogate
 * is written by JSON.stringify exactly as it reads, so texts holding any of those anywhere go the
 * reference way, as do keys canonicalJson hands to json-canonicalize (a leading digit,
 * `__proto__`, `toJSON`, which makes json-canonicalize keep the object's own key order), duplicate keys (JSON.parse keeps the last), numbers that are not in JSON's grammar
 * or not finite, nesting deeper than canonicalJson's limit, and anything else unexpected
 * (invalid JSON then throws as JSON.parse does). A number is written as its double prints.
 */
export function canonicalJsonText(text: string): string {
  if (!NEEDS_REFERENCE.test(text)) {
    const scan = new Scanner(text);
    const value = scan.value(0);
    if (value !== undefined && scan.atEnd()) return value;
  }
  return canonicalJson(JSON.parse(text));
}

const NEEDS_REFERENCE = /[\\\u0000-\u001f\ud800-\udfff]/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Integers JSON.stringify writes as they read (no sign, no leading zero, exact as a double). */
const PLAIN_INTEGER = /^(?:0|[1-9]\d{0,14})$/;
const MAX_DEPTH = 256;

const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;

interface Member {
  readonly key: string;
  readonly value: string;
}

/** One pass over a text NEEDS_REFERENCE found nothing in; each method returns undefined to give up. */
class Scanner {
  private at = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    this.skipSpaces();
    return this.at === this.text.length;
  }

  value(depth: number): string | undefined {
    this.skipSpaces();
    const c = this.text.charCodeAt(this.at);
    if (c === QUOTE) return this.string();
    if (c === OPEN_BRACE) return depth < MAX_DEPTH ? this.object(depth + 1) : undefined;
    if (c === OPEN_BRACKET) return depth < MAX_DEPTH ? this.array(depth + 1) : undefined;
    if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) return this.number();
    return this.literal('true') ?? this.literal('false') ?? this.literal('null');
  }

  private object(depth: number): string | undefined {
    this.at++; // {
    this.skipSpaces();
    if (this.text.charCodeAt(this.at) === CLOSE_BRACE) {
      this.at++;
      return '{}';
    }
    const members: Member[] = [];
    for (;;) {
      this.skipSpaces();
      if (this.text.charCodeAt(this.at) !== QUOTE) return undefined;
      const quoted = this.string();
      if (quoted === undefined) return undefined;
      const key = quoted.slice(1, -1);
      const first = key.charCodeAt(0);
      if ((first >= DIGIT_0 && first <= DIGIT_9) || key === '__proto__' || key === 'toJSON')
        return undefined;
      this.skipSpaces();
      if (this.text.charCodeAt(this.at++) !== COLON) return undefined;
      const value = this.value(depth);
      if (value === undefined) return undefined;
      members.push({ key, value });
      this.skipSpaces();
      const next = this.text.charCodeAt(this.at++);
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return undefined;
    }
    // Keys hold no escapes, so their texts compare as the keys do (UTF-16 code units, as JCS).
    members.sort(byKey);
    let out = '{';
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      if (i > 0) {
        if (member.key === members[i - 1]!.key) return undefined;
        out += ',';
      }
      out += '"' + member.key + '":' + member.value;
    }
    return out + '}';
  }

  private array(depth: number): string | undefined {
    this.at++; // [
    this.skipSpaces();
    if (this.text.charCodeAt(this.at) === CLOSE_BRACKET) {
      this.at++;
      return '[]';
    }
    let out = '[';
    for (;;) {
      const item = this.value(depth);
      if (item === undefined) return undefined;
      out += item;
      this.skipSpaces();
      const next = this.text.charCodeAt(this.at++);
      if (next === CLOSE_BRACKET) return out + ']';
      if (next !== COMMA) return undefined;
      out += ',';
    }
  }

  /** The quoted string as it stands: no escapes in the text, so the next quote ends it. */
  private string(): string | undefined {
    const end = this.text.indexOf('"', this.at + 1);
    if (end < 0) return undefined;
    const token = this.text.slice(this.at, end + 1);
    this.at = end + 1;
    return token;
  }

  private number(): string | undefined {
    const start = this.at;
    let c = this.text.charCodeAt(this.at);
    while (
      (c >= DIGIT_0 && c <= DIGIT_9) ||
      c === MINUS ||
      c === 0x2b || // +
      c === 0x2e || // .
      c === 0x45 || // E
      c === 0x65 // e
    )
      c = this.text.charCodeAt(++this.at);
    const token = this.text.slice(start, this.at);
    if (PLAIN_INTEGER.test(token)) return token;
    if (!JSON_NUMBER.test(token)) return undefined;
    const number = Number(token);
    return Number.isFinite(number) ? JSON.stringify(number) : undefined;
  }

  private literal(word: string): string | undefined {
    if (!this.text.startsWith(word, this.at)) return undefined;
    this.at += word.length;
    return word;
  }

  private skipSpaces(): void {
    while (this.text.charCodeAt(this.at) === SPACE) this.at++;
  }
}

function byKey(a: Member, b: Member): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
