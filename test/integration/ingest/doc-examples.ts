import { readFileSync } from 'node:fs';

/** A shell command from a document's ```sh block, continuation lines joined. */
export interface DocExample {
  readonly file: string;
  readonly line: number;
  readonly command: string;
}

/** Every command of the ```sh blocks in `file` that runs curl. */
export function curlExamples(file: string): DocExample[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const examples: DocExample[] = [];
  let inShell = false;
  let pending: { line: number; parts: string[] } | undefined;
  for (const [index, text] of lines.entries()) {
    if (text.trimStart().startsWith('```')) {
      inShell = !inShell && /^```(sh|bash|shell)\s*$/.test(text.trim());
      pending = undefined;
      continue;
    }
    if (!inShell) continue;
    const continued = text.endsWith('\\');
    pending ??= { line: index + 1, parts: [] };
    pending.parts.push(continued ? text.slice(0, -1) : text);
    if (continued) continue;
    const command = pending.parts.join(' ').replace(/\s+/g, ' ').trim();
    if (/(^|\|\s*)curl\s/.test(command)) examples.push({ file, line: pending.line, command });
    pending = undefined;
  }
  return examples;
}

/** The shell variables a command reads (`$KEY`, `${ENDPOINT}`). */
export function variablesOf(command: string): string[] {
  return [...new Set([...command.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))];
}
