import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A COPY or ADD of a Dockerfile that reads the build context (not another stage). */
export interface ContextCopy {
  readonly line: number;
  readonly sources: readonly string[];
}

/** Every COPY/ADD whose sources come from the build context, with continuation lines joined. */
export function contextCopies(dockerfile: string): ContextCopy[] {
  const copies: ContextCopy[] = [];
  const lines = dockerfile.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1;
    let text = lines[i]!;
    while (text.trimEnd().endsWith('\\') && i + 1 < lines.length)
      text = `${text.trimEnd().slice(0, -1)} ${lines[++i]}`;
    const m = /^\s*(COPY|ADD)\s+(.*)$/i.exec(text);
    if (!m) continue;
    const rest = m[2]!.trim();
    const args = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
    const flags = args.filter((a) => a.startsWith('--'));
    if (flags.some((f) => f.startsWith('--from='))) continue;
    const paths = args.filter((a) => !a.startsWith('--'));
    copies.push({ line: first, sources: paths.slice(0, -1) });
  }
  return copies;
}

/** Sources a Dockerfile copies that the build context lacks, as "line N: path". */
export function missingCopySources(contextDir: string, dockerfilePath: string): string[] {
  const copies = contextCopies(readFileSync(join(contextDir, dockerfilePath), 'utf8'));
  return copies.flatMap((c) =>
    c.sources.filter((s) => !existsSync(join(contextDir, s))).map((s) => `line ${c.line}: ${s}`),
  );
}

/** The major version of the Node base image (FROM node:<v>... or ARG NODE_VERSION=<v>). */
export function nodeMajorOf(dockerfile: string): number | undefined {
  const arg = /^ARG NODE_VERSION=(\d+)/m.exec(dockerfile);
  const from = /^FROM node:(\d+)/m.exec(dockerfile);
  const v = arg?.[1] ?? from?.[1];
  return v === undefined ? undefined : Number(v);
}
