/**
 * The seam between training and its data. Today one implementation exists
 * (./synthetic.ts); the next is built from the benchmark kit's simulated reads run through the
 * caller's pileup (`encodeTile` over `PileupColumnEvidence` per tile, labels from the kit's
 * diploid truth). Training only ever sees this interface.
 */
export interface TrainingBatch {
  batchSize: number;
  tileLength: number;
  /** [batchSize × tileLength × FEATURE_COUNT], row-major (features.ts encodeTile per tile). */
  features: Float32Array;
  /** [batchSize × tileLength]: 0 hom-ref, 1 het, 2 hom-alt for the column's alt allele. */
  labels: Int32Array;
  /** [batchSize × tileLength]: loss weight per position (candidates 1, background small). */
  weights: Float32Array;
  /** [batchSize × tileLength]: 1 where the caller would genotype (metrics are over these). */
  candidate: Uint8Array;
}

export interface TrainingExampleSource {
  /** SHA-256 identifying the data (generator + settings + seed, or the input files' checksums). */
  readonly dataHash: string;
  /** The training / held-out split as recorded in the manifest (regions must be disjoint). */
  readonly split: unknown;
  /** One line for logs. */
  readonly description: string;
  /** The next training batch (the source keeps its own seeded stream). */
  trainingBatch(batchSize: number, tileLength: number): TrainingBatch;
  /** Held-out tiles, the same every call (calibration and reported metrics). */
  heldOutBatches(tiles: number, tileLength: number, batchSize: number): TrainingBatch[];
}
