/**
 * chDB keeps settings and the current database on its connection, while ClickHouse's HTTP
 * interface scopes URL settings to one request. A connection therefore remembers what it
 * has applied, and before each request only the difference is sent (SET ... / SET x =
 * DEFAULT / USE), so back-to-back requests with the same settings cost nothing extra.
 */
export interface ConnectionState {
  readonly database: string;
  readonly settings: ReadonlyMap<string, string>;
}

export interface WantedState {
  /** Undefined keeps the connection's database (a session that ran USE keeps it). */
  readonly database?: string;
  readonly settings: Readonly<Record<string, string>>;
}

export interface StateStep {
  readonly sql: string;
  /** The connection's state once this statement has succeeded. */
  readonly after: ConnectionState;
}

export const INITIAL_STATE: ConnectionState = { database: 'default', settings: new Map() };

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The statements that take a connection from `current` to `wanted`, each with its outcome. */
export function planState(current: ConnectionState, wanted: WantedState): readonly StateStep[] {
  const steps: StateStep[] = [];
  let state = current;
  const database = wanted.database ?? current.database;
  if (database !== state.database) {
    state = { ...state, database };
    steps.push({ sql: `USE ${quoteIdentifier(database)}`, after: state });
  }
  const resets = [...state.settings.keys()].filter((name) => !(name in wanted.settings));
  if (resets.length > 0) {
    const settings = new Map(state.settings);
    for (const name of resets) settings.delete(name);
    state = { ...state, settings };
    steps.push({ sql: `SET ${resets.map((name) => `${name} = DEFAULT`).join(', ')}`, after: state });
  }
  const changes = Object.entries(wanted.settings).filter(
    ([name, value]) => state.settings.get(name) !== value,
  );
  if (changes.length > 0) {
    const settings = new Map(state.settings);
    for (const [name, value] of changes) settings.set(name, value);
    state = { ...state, settings };
    steps.push({
      sql: `SET ${changes.map(([name, value]) => `${name} = ${quoteString(value)}`).join(', ')}`,
      after: state,
    });
  }
  return steps;
}
