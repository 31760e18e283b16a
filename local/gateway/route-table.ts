/**
 * HTTP API route keys and matching with API Gateway's precedence: a literal segment beats a
 * `{param}`, which beats `{proxy+}`; a named method beats ANY; `$default` catches the rest.
 */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
type Method = (typeof METHODS)[number];

type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

export interface ParsedRouteKey {
  readonly routeKey: string;
  readonly method: Method | '$default';
  readonly segments: readonly Segment[];
}

export interface RouteMatch<T> {
  readonly target: T;
  readonly routeKey: string;
  /** Absent when the route has no variables, as in API Gateway's event. */
  readonly pathParameters?: Record<string, string>;
}

const PARAM = /^\{([A-Za-z0-9_.-]+)\}$/;
const GREEDY = /^\{([A-Za-z0-9_.-]+)\+\}$/;

/** Throws an error naming `field` and the rule broken. */
export function parseRouteKey(routeKey: string, field = 'routeKey'): ParsedRouteKey {
  if (routeKey === '$default') return { routeKey, method: '$default', segments: [] };
  const parts = routeKey.split(' ');
  const [method, path] = parts;
  if (parts.length !== 2 || method === undefined || path === undefined) {
    throw new Error(`${field}: "${routeKey}" must be "$default" or "METHOD /path" with one space`);
  }
  if (!(METHODS as readonly string[]).includes(method)) {
    throw new Error(
      `${field}: "${routeKey}" has method "${method}"; it must be one of ${METHODS.join(', ')}`,
    );
  }
  if (!path.startsWith('/')) throw new Error(`${field}: "${routeKey}" path must start with "/"`);
  const raw = path === '/' ? [] : path.slice(1).split('/');
  const segments = raw.map((part, index): Segment => {
    const greedy = GREEDY.exec(part);
    if (greedy?.[1]) {
      if (index !== raw.length - 1) {
        throw new Error(`${field}: "${routeKey}" may use a greedy {${greedy[1]}+} only as the last segment`);
      }
      return { kind: 'greedy', name: greedy[1] };
    }
    const param = PARAM.exec(part);
    if (param?.[1]) return { kind: 'param', name: param[1] };
    if (part === '' || part.includes('{') || part.includes('}')) {
      throw new Error(
        `${field}: "${routeKey}" has segment "${part}"; it must be a literal, {name} or a final {name+}`,
      );
    }
    return { kind: 'literal', value: part };
  });
  return { routeKey, method: method as Method, segments };
}

/** Rank of a segment kind: lower is more specific. */
const RANK = { literal: 0, param: 1, greedy: 2 } as const;

function compareSpecificity(a: ParsedRouteKey, b: ParsedRouteKey): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const sa = a.segments[i];
    const sb = b.segments[i];
    if (sa === undefined || sb === undefined) {
      // The longer route consumed more of the path literally before a greedy tail took over.
      return sa === undefined ? 1 : -1;
    }
    const diff = RANK[sa.kind] - RANK[sb.kind];
    if (diff !== 0) return diff;
  }
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function matchSegments(
  route: ParsedRouteKey,
  pathSegments: readonly string[],
): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i]!;
    if (segment.kind === 'greedy') {
      const rest = pathSegments.slice(i);
      if (rest.length === 0 || rest.join('') === '') return null;
      params[segment.name] = safeDecode(rest.join('/'));
      return params;
    }
    const actual = pathSegments[i];
    if (actual === undefined) return null;
    if (segment.kind === 'literal') {
      if (safeDecode(actual) !== segment.value) return null;
    } else {
      if (actual === '') return null;
      params[segment.name] = safeDecode(actual);
    }
  }
  return route.segments.length === pathSegments.length ? params : null;
}

export class RouteTable<T> {
  private readonly routes: { readonly parsed: ParsedRouteKey; readonly target: T }[] = [];
  private fallback: T | undefined;

  /** Throws on a malformed or duplicate route key, naming `field`. */
  add(routeKey: string, target: T, field = 'routeKey'): void {
    const parsed = parseRouteKey(routeKey, field);
    const duplicate =
      parsed.method === '$default'
        ? this.fallback !== undefined
        : this.routes.some((r) => r.parsed.routeKey === parsed.routeKey);
    if (duplicate) throw new Error(`${field}: "${routeKey}" is defined twice; route keys must be unique`);
    if (parsed.method === '$default') this.fallback = target;
    else {
      this.routes.push({ parsed, target });
      this.routes.sort((a, b) => compareSpecificity(a.parsed, b.parsed));
    }
  }

  /** Matches named routes only; `$default` is separate so static files can sit between them. */
  match(method: string, path: string): RouteMatch<T> | undefined {
    const pathSegments = path === '/' ? [] : path.replace(/^\//, '').split('/');
    for (const route of this.routes) {
      if (route.parsed.method !== 'ANY' && route.parsed.method !== method) continue;
      const params = matchSegments(route.parsed, pathSegments);
      if (params === null) continue;
      const hasParams = Object.keys(params).length > 0;
      return {
        target: route.target,
        routeKey: route.parsed.routeKey,
        ...(hasParams ? { pathParameters: params } : {}),
      };
    }
    return undefined;
  }

  matchDefault(): RouteMatch<T> | undefined {
    return this.fallback === undefined ? undefined : { target: this.fallback, routeKey: '$default' };
  }
}
