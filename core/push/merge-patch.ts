/**
 * JSON Merge Patch (RFC 7386) between two snapshots: a delta frame carries only what changed,
 * `null` deletes a key, arrays and scalars are replaced whole. A per-second series keyed by
 * second therefore travels as the new seconds plus the expired ones set to null.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameJson(x, b[i]!));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameJson(a[k]!, b[k]!));
  }
  return false;
}

/** The patch taking `from` to `to`; undefined when they are equal. Snapshots hold no nulls. */
export function createMergePatch(from: JsonObject, to: JsonObject): JsonObject | undefined {
  const patch: JsonObject = {};
  let changed = false;
  for (const key of Object.keys(from)) {
    if (!(key in to)) {
      patch[key] = null;
      changed = true;
    }
  }
  for (const [key, next] of Object.entries(to)) {
    const prev = from[key];
    if (prev !== undefined && sameJson(prev, next)) continue;
    changed = true;
    if (isObject(prev) && isObject(next)) patch[key] = createMergePatch(prev, next) ?? {};
    else patch[key] = next;
  }
  return changed ? patch : undefined;
}

export function applyMergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value)) out[key] = applyMergePatch(isObject(out[key]) ? out[key] : {}, value);
    else out[key] = value;
  }
  return out;
}
