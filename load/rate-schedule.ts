/** How many events per second to send at a moment of the run. */
export interface RateSchedule {
  readonly rate: number;
  readonly durationS: number;
  /** A 10x surge through the middle fifth of the run, as when a launch goes viral. */
  readonly spike: boolean;
}

export const SPIKE_FACTOR = 10;

export function rateAt(schedule: RateSchedule, elapsedS: number): number {
  if (!schedule.spike || schedule.durationS <= 0) return schedule.rate;
  const from = schedule.durationS * 0.4;
  const to = schedule.durationS * 0.6;
  return elapsedS >= from && elapsedS < to ? schedule.rate * SPIKE_FACTOR : schedule.rate;
}
