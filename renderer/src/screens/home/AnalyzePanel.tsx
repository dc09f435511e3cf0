import { useId, useState } from 'react';
import { useApp } from '../../store/StoreContext.js';

function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/**
 * A full analysis: reads (one FASTQ, or an R1/R2 pair), or another aligner's BAM, against a
 * reference FASTA, all read in place on the host. The platform comes from the platform choice above (auto-detected by default).
 */
export function AnalyzePanel() {
  const startAnalysis = useApp((s) => s.startAnalysis);
  const startAnalysisFromBam = useApp((s) => s.startAnalysisFromBam);
  const startDemo = useApp((s) => s.startDemo);
  const starting = useApp((s) => s.starting);
  const [reads, setReads] = useState('');
  const [reference, setReference] = useState('');
  const [sample, setSample] = useState('');
  const readsId = useId();
  const referenceId = useId();
  const sampleId = useId();
  const readPaths = linesOf(reads);
  const ready = readPaths.length > 0 && reference.trim() !== '';
  return (
    <form
      className="field-stack analyze-panel"
      data-testid="analyze-panel"
      onSubmit={(event) => {
        event.preventDefault();
        if (!ready) return;
        const trimmedSample = sample.trim();
        const common = { referencePath: reference.trim(), ...(trimmedSample ? { sample: trimmedSample } : {}) };
        // One BAM instead of reads: call from that alignment.
        const [first] = readPaths;
        if (readPaths.length === 1 && first !== undefined && /\.bam$/i.test(first)) void startAnalysisFromBam({ bamPath: first, ...common });
        else void startAnalysis({ readPaths, ...common });
      }}
    >
      <span className="panel-title">Analyze: reads → calls</span>
      <label htmlFor={readsId}>Reads (one FASTQ, or R1 and R2) or an aligned BAM</label>
      <textarea
        id={readsId}
        className="mono"
        rows={2}
        spellCheck={false}
        data-testid="analyze-reads"
        placeholder="/data/sample_R1.fastq.gz"
        value={reads}
        onChange={(event) => setReads(event.target.value)}
      />
      <label htmlFor={referenceId}>Reference FASTA</label>
      <input
        id={referenceId}
        type="text"
        className="mono"
        spellCheck={false}
        data-testid="analyze-reference"
        placeholder="/data/GRCh38.fa"
        value={reference}
        onChange={(event) => setReference(event.target.value)}
      />
      <label htmlFor={sampleId}>Sample name (optional)</label>
      <input id={sampleId} type="text" value={sample} data-testid="analyze-sample" onChange={(event) => setSample(event.target.value)} />
      <button type="submit" className="button button-block" data-testid="analyze-start" disabled={!ready || starting}>
        Analyze
      </button>
      <button type="button" className="button button-block" data-testid="demo-start" disabled={starting} onClick={() => void startDemo()}>
        Run the demo (NA12878, 12 kb of chr22)
      </button>
    </form>
  );
}
