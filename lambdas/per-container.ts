/**
 * What a function makes on its first invocation in a container (its config, secrets read,
 * connections) and reuses in every later one. A failed attempt is not kept: the next invocation
 * tries again, rather than the container failing for the rest of its life because Secrets
 * Manager or a store was briefly unreachable.
 */
export function perContainer<T>(create: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= create().catch((err: unknown) => {
      made = undefined;
      throw err;
    });
    return made;
  };
}
