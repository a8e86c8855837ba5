/**
 * @module sdk/dataset
 * Datasets (Airflow's Assets): named by URI, declared as task inlets/outlets for lineage and
 * consumed by data-aware schedules.
 */

export interface Dataset {
  readonly kind: 'dataset';
  readonly uri: string;
}

/** A dataset, by URI: `dataset('s3://lake/orders')`. */
export function dataset(uri: string): Dataset {
  return { kind: 'dataset', uri };
}

/** `scheme://rest`, the scheme lowercase (s3, postgres, file, https …). */
export const DATASET_URI = /^[a-z][a-z0-9+.-]*:\/\/\S+$/;
