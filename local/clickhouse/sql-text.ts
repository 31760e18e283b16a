/**
 * The few facts the endpoint needs from SQL text without parsing it: the engine parses,
 * these only decide routing (insert with a data body or not), the response's format
 * headers, and whether a stateless connection was left with changed state.
 */

/** Strips leading whitespace and SQL comments (`-- ...`, `/* ... *\/`). */
function withoutLeadingComments(sql: string): string {
  let rest = sql;
  for (;;) {
    const trimmed = rest.replace(/^\s+/, '');
    if (trimmed.startsWith('--') || trimmed.startsWith('#!') || trimmed.startsWith('# ')) {
      const end = trimmed.indexOf('\n');
      rest = end === -1 ? '' : trimmed.slice(end + 1);
    } else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/');
      rest = end === -1 ? '' : trimmed.slice(end + 2);
    } else {
      return trimmed;
    }
  }
}

/** The statement's first keyword, upper-cased ('' for an empty text). */
export function leadingKeyword(sql: string): string {
  const match = /^[A-Za-z]+/.exec(withoutLeadingComments(sql));
  return match ? match[0].toUpperCase() : '';
}

export function isInsert(sql: string): boolean {
  return leadingKeyword(sql) === 'INSERT';
}

/**
 * The format named by a trailing `FORMAT X` clause (the client appends one to every
 * query), or undefined. Only the tail is examined, so a `format` inside the text is not
 * mistaken for the clause unless it really ends the statement.
 */
export function trailingFormat(sql: string): string | undefined {
  const match = /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i.exec(sql);
  return match ? match[1] : undefined;
}

/**
 * True when a statement may change connection state (SET, USE, temporary tables) that
 * ClickHouse would scope to a single stateless HTTP request.
 */
export function changesConnectionState(sql: string): boolean {
  return sql
    .split(';')
    .map((part) => leadingKeyword(part))
    .some(
      (keyword) =>
        keyword === 'SET' || keyword === 'USE' || (keyword === 'CREATE' && /\bTEMPORARY\b/i.test(sql)),
    );
}
