/**
 * A small evaluator of the CloudWatch metric math a scaling alarm uses (numbers, metric ids,
 * + - * /, comparisons, AND/OR, IF, FILL, MAX, MIN), over one sample per metric. A metric with
 * no data is `undefined`, as CloudWatch sees a metric nobody publishes; FILL replaces it.
 */
export type Sample = number | undefined;

type Token = { kind: 'num'; value: number } | { kind: 'id'; value: string } | { kind: 'op'; value: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|<=|>=|==|!=|&&|\|\||[-+*/<>()[\],])/y;
  const end = expression.trimEnd().length;
  while (re.lastIndex < end) {
    const m = re.exec(expression);
    if (!m) break;
    const t = m[1]!;
    if (/^\d/.test(t)) tokens.push({ kind: 'num', value: Number(t) });
    else if (/^[A-Za-z_]/.test(t) && t !== 'AND' && t !== 'OR') tokens.push({ kind: 'id', value: t });
    else tokens.push({ kind: 'op', value: t === 'AND' ? '&&' : t === 'OR' ? '||' : t });
  }
  if (re.lastIndex < end) throw new Error(`cannot read metric math at ${re.lastIndex}: ${expression}`);
  return tokens;
}

export function evaluate(expression: string, samples: Readonly<Record<string, Sample>>): Sample {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (op?: string) => {
    const t = tokens[pos++];
    if (!t || (op !== undefined && t.value !== op))
      throw new Error(`expected ${op} at ${pos - 1} in ${expression}`);
    return t;
  };
  const both = (a: Sample, b: Sample, f: (x: number, y: number) => number): Sample =>
    a === undefined || b === undefined ? undefined : f(a, b);
  const binary = (next: () => Sample, ops: Record<string, (x: number, y: number) => number>) => () => {
    let left = next();
    while (peek()?.kind === 'op' && ops[peek()!.value as string]) {
      const f = ops[take().value as string]!;
      left = both(left, next(), f);
    }
    return left;
  };
  const primary = (): Sample => {
    const t = take();
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op' && t.value === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.kind === 'op' && t.value === '-') return both(0, primary(), (x, y) => x - y);
    if (t.kind !== 'id') throw new Error(`unexpected ${t.value} in ${expression}`);
    if (peek()?.value !== '(') {
      if (!(t.value in samples)) throw new Error(`metric ${t.value} has no sample`);
      return samples[t.value];
    }
    take('(');
    const args: Sample[][] = [];
    while (peek()?.value !== ')') {
      if (peek()?.value === '[') {
        take('[');
        const list: Sample[] = [or()];
        while (peek()?.value === ',') {
          take(',');
          list.push(or());
        }
        take(']');
        args.push(list);
      } else args.push([or()]);
      if (peek()?.value === ',') take(',');
    }
    take(')');
    const one = (i: number) => args[i]![0];
    switch (t.value) {
      case 'FILL':
        return one(0) ?? one(1);
      case 'IF':
        return one(0) === undefined ? undefined : one(0) !== 0 ? one(1) : one(2);
      case 'MAX':
      case 'MIN': {
        const present = args.flat().filter((v): v is number => v !== undefined);
        if (present.length === 0) return undefined;
        return t.value === 'MAX' ? Math.max(...present) : Math.min(...present);
      }
      default:
        throw new Error(`function ${t.value} is not known to this evaluator`);
    }
  };
  const mul = binary(primary, { '*': (x, y) => x * y, '/': (x, y) => x / y });
  const add = binary(mul, { '+': (x, y) => x + y, '-': (x, y) => x - y });
  const cmp = binary(add, {
    '<': (x, y) => Number(x < y),
    '<=': (x, y) => Number(x <= y),
    '>': (x, y) => Number(x > y),
    '>=': (x, y) => Number(x >= y),
    '==': (x, y) => Number(x === y),
    '!=': (x, y) => Number(x !== y),
  });
  const and = binary(cmp, { '&&': (x, y) => Number(x !== 0 && y !== 0) });
  const or: () => Sample = binary(and, { '||': (x, y) => Number(x !== 0 || y !== 0) });
  const value = or();
  if (pos !== tokens.length) throw new Error(`trailing input at ${pos} in ${expression}`);
  return value;
}
