import type { MSKEvent } from 'aws-lambda';
import { tweetProjectOf } from '../../core/nlp/tweet-project.ts';
import { TOPICS } from '../../core/topics.ts';

// The project id sits near the start of every enriched event and tweet; a pattern finds it
// without parsing thousands of records that the broadcaster never reads otherwise.
const PROJECT = /"project"\s*:\s*"([A-Za-z0-9_.-]{1,128})"/;

/** The projects a batch of events touched: the ones whose dashboards may have new numbers. */
export function projectsOf(event: MSKEvent): Set<string> {
  const projects = new Set<string>();
  for (const records of Object.values(event.records ?? {}))
    for (const record of records) {
      if (record.topic === TOPICS.tweetsEnriched.name) continue;
      const match = PROJECT.exec(Buffer.from(record.value ?? '', 'base64').toString('utf8'));
      if (match?.[1]) projects.add(match[1]);
    }
  return projects;
}

/**
 * The projects whose tweets a batch of enriched tweets holds: the ones whose tweets and alerts
 * channels may have new numbers. The worker writes `project` first, so the pattern finds it; a
 * record it does not match (one that names no project, or a project the pattern does not cover)
 * is parsed, and read as the tweets aggregator reads it (core/nlp/tweet-project.ts).
 */
export function tweetProjectsOf(event: MSKEvent): Set<string> {
  const projects = new Set<string>();
  for (const records of Object.values(event.records ?? {}))
    for (const record of records) {
      if (record.topic !== TOPICS.tweetsEnriched.name) continue;
      const text = Buffer.from(record.value ?? '', 'base64').toString('utf8');
      const project = PROJECT.exec(text)?.[1] ?? projectOfRecord(text);
      if (project !== undefined) projects.add(project);
    }
  return projects;
}

/** The project of a tweet record read in full; undefined for a record the aggregator passes over. */
function projectOfRecord(text: string): string | undefined {
  try {
    const record = JSON.parse(text) as unknown;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
    return tweetProjectOf((record as { project?: unknown }).project);
  } catch {
    return undefined;
  }
}
