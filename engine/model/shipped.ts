/**
 * The learned genotyper the product runs by default: the checkpoint shipped in assets/models
 * (produced by `genomaic train --config configs/model/kit-small.yaml`, docs/model-training.md).
 * Every host (CLI, browser mode, Electron) reaches it through the call job, which falls back to
 * the statistical genotyper with a warning when the folder is missing or unusable.
 */
import { join } from 'node:path';
import { findPackageRoot } from '../version.js';

export const SHIPPED_MODEL_ID = 'genomeltm-moe-small';

export function shippedModelDir(): string {
  return join(findPackageRoot(), 'assets', 'models', SHIPPED_MODEL_ID);
}
