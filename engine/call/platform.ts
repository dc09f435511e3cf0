import type { Platform } from './types.js';

/** The platform a BAM's @RG PL names, or null (SAMv1 §1.3 lists the PL values). */
export function platformFromReadGroup(pl: string | null): Platform | null {
  if (!pl) return null;
  const v = pl.toUpperCase();
  if (v === 'ILLUMINA') return 'illumina';
  if (v === 'PACBIO') return 'hifi';
  if (v === 'ONT' || v === 'NANOPORE' || v === 'OXFORD_NANOPORE') return 'ont';
  return null;
}
