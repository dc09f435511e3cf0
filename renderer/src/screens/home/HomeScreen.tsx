import { useApp } from '../../store/StoreContext.js';

/**
 * Home: the large drop target and what a QC run does. The controls to start a run live in
 * the side panel (NewRunPanel) so they are at hand on every screen; drops work anywhere.
 */
export function HomeScreen({ dragging }: { dragging: boolean }) {
  const canOpenDialog = useApp((s) => s.canOpenDialog);
  return (
    <section className="home" aria-labelledby="home-title">
      <h1 id="home-title" className="screen-title">New QC run</h1>
      <p className="screen-lede">
        Reads stay on this computer. Start with FASTQ from Illumina, PacBio HiFi or Oxford Nanopore.
      </p>

      <div className={`drop-zone${dragging ? ' is-dragging' : ''}`} data-testid="drop-zone">
        <svg className="drop-zone-icon" viewBox="0 0 24 24" width="36" height="36" aria-hidden="true">
          <path d="M12 15V4m0 0-4 4m4-4 4 4M5 14v4a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <p className="drop-zone-title">Drop FASTQ files anywhere in this window</p>
        <p className="drop-zone-hint">
          Plain, gzip or bgzip (.fastq, .fq, .fastq.gz). Drop both mates of a pair together.
          {canOpenDialog ? '' : ' Dropped files are copied to the local GenomAIc server; for large files, enter their paths instead.'}
        </p>
        <p className="drop-zone-hint">Or use <strong>Choose FASTQ files…</strong> or paths in the panel on the left.</p>
      </div>

      <section className="home-steps" aria-labelledby="home-steps-title">
        <h2 id="home-steps-title" className="section-title">What a QC run does</h2>
        <ol>
          <li><strong>Validates</strong> every record and reports a fault by file, record and line.</li>
          <li><strong>Identifies</strong> each file by size and SHA-256, and pairs R1/R2 mates by read name.</li>
          <li><strong>Detects the platform</strong> from read names, lengths and qualities, showing its evidence; you can override it.</li>
          <li><strong>Summarises quality</strong>: reads, bases, N50, Q20/Q30, GC, and their distributions.</li>
        </ol>
      </section>
    </section>
  );
}
