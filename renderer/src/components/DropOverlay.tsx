/** Shown over the whole window while files are dragged over it; it never intercepts the drop. */
export function DropOverlay({ visible }: { visible: boolean }) {
  if (!visible) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-overlay-card">
        <p className="drop-overlay-title">Drop FASTQ files to start a QC run</p>
        <p className="drop-overlay-hint">.fastq, .fq, gzip or bgzip; R1/R2 mates are paired automatically</p>
      </div>
    </div>
  );
}
