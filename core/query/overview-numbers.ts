/** An overview's numbers over a range, as every tier answers them and the query API adds them up. */
export interface OverviewNumbers {
  readonly events: number;
  readonly by_type: Record<string, number>;
  readonly orders: number;
  /** Major units per currency. */
  readonly revenue: Record<string, number>;
  readonly unique_visitors: number;
}
