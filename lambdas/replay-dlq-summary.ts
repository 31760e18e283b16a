import type { DeadLetter } from '../core/events/ingest-batch.ts';
import type { Rejection } from '../core/events/ingest-error.ts';
import { type LetterPosition, reasonOf } from './replay-dead-letter.ts';

/** One dead letter as shown to a person: where it is, what was sent, and why it was refused. */
export interface LetterSample extends LetterPosition {
  readonly project: string;
  readonly route: string;
  readonly receivedAt: string;
  readonly message: string;
  /** The payload as JSON, cut to SAMPLE_PAYLOAD_CHARS. */
  readonly payload: string;
}

export interface ReasonCount {
  /** The field and the rule (`event_id format`); `unreadable` for records that are no dead letter. */
  readonly reason: string;
  readonly count: number;
  /** Not replayed yet: past the replay group's committed offset. */
  readonly pending: number;
  /** Of those pending, how many today's validation would accept. */
  readonly passNow: number;
  readonly samples: readonly LetterSample[];
}

export const UNREADABLE = 'unreadable';
const SAMPLE_PAYLOAD_CHARS = 300;

/** Dead letters counted by reason, with the first few of each kept as samples. */
export class DlqSummary {
  readonly #samplesPerReason: number;
  readonly #reasons = new Map<
    string,
    { count: number; pending: number; passNow: number; samples: LetterSample[] }
  >();

  constructor(samplesPerReason: number) {
    this.#samplesPerReason = samplesPerReason;
  }

  add(
    position: LetterPosition,
    letter: DeadLetter | undefined,
    state: { readonly pending: boolean; readonly passNow: boolean; readonly rejection?: Rejection },
  ): void {
    const rejection = state.rejection ?? letter?.reason;
    const reason = letter && rejection ? reasonOf(rejection) : UNREADABLE;
    let entry = this.#reasons.get(reason);
    if (!entry) {
      entry = { count: 0, pending: 0, passNow: 0, samples: [] };
      this.#reasons.set(reason, entry);
    }
    entry.count += 1;
    if (state.pending) entry.pending += 1;
    if (state.pending && state.passNow) entry.passNow += 1;
    if (letter && rejection && entry.samples.length < this.#samplesPerReason) {
      entry.samples.push({
        ...position,
        project: letter.project,
        route: letter.route,
        receivedAt: letter.received_at,
        message: rejection.message,
        payload: cut(JSON.stringify(letter.payload) ?? 'undefined'),
      });
    }
  }

  /** Most frequent reason first; ties by name, so the listing is stable. */
  reasons(): ReasonCount[] {
    return [...this.#reasons]
      .map(([reason, e]) => ({ reason, ...e }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  }

  get total(): number {
    return this.reasons().reduce((n, r) => n + r.count, 0);
  }

  get pending(): number {
    return this.reasons().reduce((n, r) => n + r.pending, 0);
  }

  get passNow(): number {
    return this.reasons().reduce((n, r) => n + r.passNow, 0);
  }
}

function cut(text: string): string {
  return text.length <= SAMPLE_PAYLOAD_CHARS ? text : `${text.slice(0, SAMPLE_PAYLOAD_CHARS - 1)}…`;
}
