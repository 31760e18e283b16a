import type { TransactionalIdSource } from './config.ts';

/**
 * The worker's transactional id, resolved once at start. On ECS it is the prefix plus the
 * task id from the task metadata endpoint (v4), so two tasks never share an id (they would
 * fence each other in turn) and the id stays the same when the worker restarts in its task.
 */
export async function resolveTransactionalId(
  source: TransactionalIdSource,
  options: { readonly attempts?: number; readonly timeoutMs?: number } = {},
): Promise<string> {
  if (source.kind === 'fixed') return source.id;
  if (source.ecsMetadataUri === undefined) return `${source.prefix}-${source.instance}`;
  const task = await fetchTaskMetadata(
    source.ecsMetadataUri,
    options.attempts ?? 3,
    options.timeoutMs ?? 2000,
  );
  return `${source.prefix}-${taskIdFromMetadata(task)}`;
}

/** The task id: the last segment of TaskARN (arn:aws:ecs:region:account:task/cluster/id). */
export function taskIdFromMetadata(task: unknown): string {
  const arn = typeof task === 'object' && task !== null ? (task as { TaskARN?: unknown }).TaskARN : undefined;
  if (typeof arn !== 'string' || !/^arn:[^:]+:ecs:[^:]*:[^:]*:task\/.+/u.test(arn)) {
    throw new Error(`ECS task metadata TaskARN: must be an ECS task ARN, got ${JSON.stringify(arn)}`);
  }
  const id = arn.slice(arn.lastIndexOf('/') + 1);
  if (!/^[A-Za-z0-9-]+$/u.test(id))
    throw new Error(`ECS task metadata TaskARN: task id "${id}" is not an id`);
  return id;
}

async function fetchTaskMetadata(baseUri: string, attempts: number, timeoutMs: number): Promise<unknown> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(`${baseUri.replace(/\/+$/u, '')}/task`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await res.json();
    } catch (err) {
      last = err;
      // The agent can answer late right after the container starts.
      if (attempt < attempts) await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  // Falling back to the host name could give two tasks one id; better not to start.
  throw new Error(
    `ECS_CONTAINER_METADATA_URI_V4: task metadata not readable after ${attempts} attempts: ${last instanceof Error ? last.message : String(last)}`,
  );
}
