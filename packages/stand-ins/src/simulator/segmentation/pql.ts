// The PQL subset the simulator evaluates: comparisons of a dotted profile attribute path with a
// literal (=, ==, !=, <, <=, >, >=), combined with and/or/not and parentheses, e.g.
//   _cmle.propensity >= 0.2 and _cmle.propensity <= 0.93
// Anything else (functions, event queries, `in`, arithmetic) is refused with the position.
import { valueAt } from '../schema-registry/dataset-profile.js';

export class PqlError extends Error {}

type Literal = number | string | boolean;
type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type PqlNode =
  | { kind: 'and' | 'or'; left: PqlNode; right: PqlNode }
  | { kind: 'not'; operand: PqlNode }
  | { kind: 'compare'; path: string[]; op: Comparator; value: Literal };

type Token =
  | { type: 'word'; text: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'op'; text: string; at: number }
  | { type: 'paren'; text: '(' | ')'; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space !== null) {
      i += space[0].length;
      continue;
    }
    const number = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(rest);
    const word = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(rest);
    const op = /^(==|!=|<=|>=|=|<|>)/.exec(rest);
    const quote = rest[0];
    if (number !== null) {
      tokens.push({ type: 'number', value: Number(number[0]), at: i });
      i += number[0].length;
    } else if (word !== null) {
      tokens.push({ type: 'word', text: word[0], at: i });
      i += word[0].length;
    } else if (op !== null) {
      tokens.push({ type: 'op', text: op[0], at: i });
      i += op[0].length;
    } else if (quote === '(' || quote === ')') {
      tokens.push({ type: 'paren', text: quote, at: i });
      i++;
    } else if (quote === '"' || quote === "'") {
      const end = source.indexOf(quote, i + 1);
      if (end < 0) throw new PqlError(`Unterminated string at position ${i}`);
      tokens.push({ type: 'string', value: source.slice(i + 1, end), at: i });
      i = end + 1;
    } else {
      throw new PqlError(`Unsupported PQL construct at position ${i}: "${rest.slice(0, 20)}"`);
    }
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false']);

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): PqlNode {
    const node = this.or();
    const extra = this.tokens[this.index];
    if (extra !== undefined) throw this.unsupported(extra);
    return node;
  }

  private peekKeyword(keyword: string): boolean {
    const token = this.tokens[this.index];
    return token?.type === 'word' && token.text.toLowerCase() === keyword;
  }

  private or(): PqlNode {
    let left = this.and();
    while (this.peekKeyword('or')) {
      this.index++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): PqlNode {
    let left = this.not();
    while (this.peekKeyword('and')) {
      this.index++;
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): PqlNode {
    if (this.peekKeyword('not')) {
      this.index++;
      return { kind: 'not', operand: this.not() };
    }
    return this.primary();
  }

  private primary(): PqlNode {
    const token = this.tokens[this.index];
    if (token === undefined) throw new PqlError('Unexpected end of the PQL expression');
    if (token.type === 'paren' && token.text === '(') {
      this.index++;
      const inner = this.or();
      const close = this.tokens[this.index];
      if (close?.type !== 'paren' || close.text !== ')') throw new PqlError(`Expected ) at position ${close?.at ?? this.source.length}`);
      this.index++;
      return inner;
    }
    if (token.type !== 'word' || KEYWORDS.has(token.text.toLowerCase())) throw this.unsupported(token);
    this.index++;
    const op = this.tokens[this.index];
    if (op?.type !== 'op') throw op === undefined ? new PqlError(`Expected a comparison after ${token.text}`) : this.unsupported(op);
    this.index++;
    return { kind: 'compare', path: token.text.split('.'), op: op.text === '==' ? '=' : (op.text as Comparator), value: this.literal() };
  }

  private literal(): Literal {
    const token = this.tokens[this.index];
    if (token === undefined) throw new PqlError('Expected a literal at the end of the expression');
    this.index++;
    if (token.type === 'number' || token.type === 'string') return token.value;
    if (token.type === 'word' && (token.text.toLowerCase() === 'true' || token.text.toLowerCase() === 'false')) return token.text.toLowerCase() === 'true';
    throw new PqlError(`Only number, string and boolean literals can be compared (position ${token.at}); attribute-to-attribute comparisons are not supported`);
  }

  private unsupported(token: Token): PqlError {
    return new PqlError(`Unsupported PQL construct at position ${token.at}: "${this.source.slice(token.at, token.at + 20)}"`);
  }
}

export function parsePql(source: string): PqlNode {
  const tokens = tokenize(source);
  if (tokens.length === 0) throw new PqlError('The PQL expression is empty');
  return new Parser(tokens, source).parse();
}

function compare(actual: unknown, op: Comparator, expected: Literal): boolean {
  // A missing attribute never qualifies, as in PQL.
  if (actual === undefined || actual === null) return false;
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return false;
    return op === '=' ? actual === expected : op === '!=' ? actual !== expected : op === '<' ? actual < expected : op === '<=' ? actual <= expected : op === '>' ? actual > expected : actual >= expected;
  }
  if (typeof actual !== typeof expected) return false;
  if (op === '=') return actual === expected;
  if (op === '!=') return actual !== expected;
  if (typeof actual !== 'string' || typeof expected !== 'string') return false;
  return op === '<' ? actual < expected : op === '<=' ? actual <= expected : op === '>' ? actual > expected : actual >= expected;
}

export function evaluatePql(node: PqlNode, profile: Record<string, unknown>): boolean {
  switch (node.kind) {
    case 'and':
      return evaluatePql(node.left, profile) && evaluatePql(node.right, profile);
    case 'or':
      return evaluatePql(node.left, profile) || evaluatePql(node.right, profile);
    case 'not':
      return !evaluatePql(node.operand, profile);
    case 'compare':
      return compare(valueAt(profile, node.path), node.op, node.value);
  }
}
