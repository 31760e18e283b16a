import type { Migration } from '../migration.ts';

/**
 * The identity index drops a week's partition whole once all of it has expired, instead of
 * rewriting parts row by row as claims pass 31 days: claims may outlive their rows by up to a
 * week, which costs a confirmation in the raw table and never a count (a claim is only trusted
 * once the raw table holds its row).
 */
export const warehouseIdsTtl: Migration = {
  version: 6,
  name: 'identity index expires by whole weeks',
  statements: ['ALTER TABLE warehouse_ids MODIFY SETTING ttl_only_drop_parts = 1'],
};
