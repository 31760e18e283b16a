import type { MSKEvent } from 'aws-lambda';
import { DEFAULT_TWEET_PROJECT } from '../../core/nlp/tweet-project.ts';
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
 * channels may have new numbers. The worker writes `project` first; a record that names none is
 * the default project's (core/nlp/tweet-project.ts), as the tweets aggregator counts it.
 */
export function tweetProjectsOf(event: MSKEvent): Set<string> {
  const projects = new Set<string>();
  for (const records of Object.values(event.records ?? {}))
    for (const record of records) {
      if (record.topic !== TOPICS.tweetsEnriched.name) continue;
      const match = PROJECT.exec(Buffer.from(record.value ?? '', 'base64').toString('utf8'));
      projects.add(match?.[1] ?? DEFAULT_TWEET_PROJECT);
    }
  return projects;
}
