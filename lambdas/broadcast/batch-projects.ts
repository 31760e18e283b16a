import type { MSKEvent } from 'aws-lambda';
import { TOPICS } from '../../core/topics.ts';

// The project id sits near the start of every enriched event; a pattern finds it without
// parsing thousands of records that the broadcaster never reads otherwise.
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

/** Whether the batch carries enriched tweets, whose channels every project's dashboards show. */
export function carriesTweets(event: MSKEvent): boolean {
  return Object.values(event.records ?? {}).some((records) =>
    records.some((r) => r.topic === TOPICS.tweetsEnriched.name),
  );
}
