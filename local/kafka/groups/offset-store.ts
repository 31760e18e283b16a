import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from '../durable-file.ts';

export interface CommittedOffset {
  readonly offset: number;
  readonly metadata: string | null;
}

interface OffsetLine {
  g: string;
  t: string;
  p: number;
  o: number;
  m: string | null;
}

/**
 * Committed consumer offsets, kept as an append-only file of JSON lines (the local
 * counterpart of __consumer_offsets) and compacted to the latest value per key at start.
 */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'group-offsets.jsonl');
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const l = JSON.parse(line) as OffsetLine;
          this.set(l.g, l.t, l.p, { offset: l.o, metadata: l.m });
        } catch {
          // A line cut short by a kill is the last one and was never acknowledged.
        }
      }
    }
    replaceFile(this.file, this.lines().join(''));
  }

  private lines(): string[] {
    const out: string[] = [];
    for (const [g, topics] of this.groups) {
      for (const [t, parts] of topics) {
        for (const [p, c] of parts) out.push(`${JSON.stringify({ g, t, p, o: c.offset, m: c.metadata })}\n`);
      }
    }
    return out;
  }

  private set(group: string, topic: string, partition: number, c: CommittedOffset): void {
    const topics = this.groups.get(group) ?? new Map<string, Map<number, CommittedOffset>>();
    this.groups.set(group, topics);
    const parts = topics.get(topic) ?? new Map<number, CommittedOffset>();
    topics.set(topic, parts);
    parts.set(partition, c);
  }

  commit(
    group: string,
    entries: readonly { topic: string; partition: number; offset: number; metadata: string | null }[],
  ): void {
    if (entries.length === 0) return;
    let text = '';
    for (const e of entries) {
      this.set(group, e.topic, e.partition, { offset: e.offset, metadata: e.metadata });
      text += `${JSON.stringify({ g: group, t: e.topic, p: e.partition, o: e.offset, m: e.metadata })}\n`;
    }
    appendFileSync(this.file, text);
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(topic)?.get(partition);
  }

  /** Every committed (topic, partition) of the group. */
  all(group: string): { topic: string; partition: number; committed: CommittedOffset }[] {
    const out: { topic: string; partition: number; committed: CommittedOffset }[] = [];
    for (const [topic, parts] of this.groups.get(group) ?? []) {
      for (const [partition, committed] of parts) out.push({ topic, partition, committed });
    }
    return out;
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }
}
