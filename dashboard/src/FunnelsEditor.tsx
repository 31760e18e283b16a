import { type FormEvent, useEffect, useState } from 'react';
import type { DashboardConfig } from './config.ts';
import { type FunnelStepInput, linesFromSteps, stepsFromLines } from './funnel-form.ts';
import { queryJson, usePolled } from './use-polled.ts';

interface StoredFunnel {
  readonly id: string;
  readonly name: string;
  readonly read_only?: boolean;
  readonly steps: ReadonlyArray<FunnelStepInput & { label: string }>;
}

/** A funnel's attempts per step in the last 30 minutes, as the funnels aggregator counts them. */
function LiveCounts(props: { config: DashboardConfig; id: string }) {
  const { data } = usePolled(
    props.id,
    () => queryJson<{ steps: Array<{ users: number }> }>(props.config, `/v1/funnels/${props.id}?window=30m`),
    10_000,
  );
  if (!data) return null;
  return (
    <span className="funnel-counts" data-testid={`funnel-counts-${props.id}`}>
      {' '}
      ({data.steps.map((s) => s.users).join(' → ')} in 30 min)
    </span>
  );
}

/** A write to the query API; its `{ message }` (which names the field) on an error answer. */
async function send(config: DashboardConfig, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${config.apiBase}${path}`, {
    method,
    headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    const answer = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(answer.message ?? `${method} ${path}: ${response.status}`);
  }
}

/**
 * The project's funnels: the deploy-time one, read only, and those defined here, each created,
 * edited or deleted through the query API. A funnel counts live from its saving on.
 */
export function FunnelsEditor(props: { config: DashboardConfig }) {
  const [funnels, setFunnels] = useState<StoredFunnel[]>([]);
  const [editing, setEditing] = useState<string | undefined>();
  const [name, setName] = useState('');
  const [lines, setLines] = useState('page_view\nadd_to_cart\npurchase');
  const [error, setError] = useState<string | undefined>();
  const reload = () =>
    queryJson<{ funnels: StoredFunnel[] }>(props.config, '/v1/funnels').then(
      (answer) => setFunnels(answer.funnels),
      (err: unknown) => setError((err as Error).message),
    );
  // biome-ignore lint/correctness/useExhaustiveDependencies: read once per dashboard link.
  useEffect(() => {
    void reload();
  }, [props.config]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const body = { name, steps: stepsFromLines(lines) };
      if (editing) await send(props.config, 'PUT', `/v1/funnels/${editing}`, body);
      else await send(props.config, 'POST', '/v1/funnels', body);
      setError(undefined);
      setEditing(undefined);
      setName('');
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const remove = async (id: string) => {
    try {
      await send(props.config, 'DELETE', `/v1/funnels/${id}`);
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <section className="panel" data-testid="funnels-editor">
      <h2>Funnels</h2>
      <ul className="funnel-list">
        {funnels.map((f) => (
          <li key={f.id}>
            <strong>{f.name}</strong> {f.steps.map((s) => s.label).join(' → ')}
            {!f.read_only && (
              <>
                <LiveCounts config={props.config} id={f.id} />{' '}
                <button
                  type="button"
                  onClick={() => {
                    setEditing(f.id);
                    setName(f.name);
                    setLines(linesFromSteps(f.steps));
                  }}
                >
                  Edit
                </button>{' '}
                <button type="button" onClick={() => void remove(f.id)}>
                  Delete
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <form className="funnels-form" onSubmit={(e) => void save(e)}>
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} data-testid="funnel-name" />
        </label>
        <label>
          Steps, one a line (<code>type</code>, <code>type+product</code>, <code>type property=value</code>)
          <textarea
            rows={5}
            value={lines}
            onChange={(e) => setLines(e.target.value)}
            data-testid="funnel-steps"
          />
        </label>
        <button type="submit">{editing ? 'Save changes' : 'Create funnel'}</button>
        {editing && (
          <button type="button" onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
