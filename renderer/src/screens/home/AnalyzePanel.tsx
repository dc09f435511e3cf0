import { useId, useState } from 'react';
import type { AlignPreset } from '../../../../app/contract.ts';
import { useApp } from '../../store/StoreContext.js';
import { PRESET_CHOICES, isPresetChoice } from '../../format/labels.js';

function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

type RunMode = 'analyze' | 'align';

/**
 * A run from reads (one FASTQ, or an R1/R2 pair), or another aligner's BAM, against a reference
 * FASTA, all read in place on the host: a full analysis (align + call, the platform from the
 * platform choice above) or an alignment only (BAM + BAI, with the aligner's preset chosen here).
 */
export function AnalyzePanel() {
  const startAnalysis = useApp((s) => s.startAnalysis);
  const startAnalysisFromBam = useApp((s) => s.startAnalysisFromBam);
  const startAlignment = useApp((s) => s.startAlignment);
  const startAlignmentFromBam = useApp((s) => s.startAlignmentFromBam);
  const startDemo = useApp((s) => s.startDemo);
  const starting = useApp((s) => s.starting);
  const [mode, setMode] = useState<RunMode>('analyze');
  const [preset, setPreset] = useState<AlignPreset | 'auto'>('auto');
  const [reads, setReads] = useState('');
  const [reference, setReference] = useState('');
  const [sample, setSample] = useState('');
  const readsId = useId();
  const referenceId = useId();
  const sampleId = useId();
  const presetId = useId();
  const modeName = useId();
  const readPaths = linesOf(reads);
  const [first] = readPaths;
  // One BAM instead of reads: call from that alignment, or import it as the alignment.
  const bamPath = readPaths.length === 1 && first !== undefined && /\.bam$/i.test(first) ? first : null;
  const ready = readPaths.length > 0 && reference.trim() !== '';
  const aligning = mode === 'align';
  return (
    <form
      className="field-stack analyze-panel"
      data-testid="analyze-panel"
      onSubmit={(event) => {
        event.preventDefault();
        if (!ready) return;
        const trimmedSample = sample.trim();
        const referencePath = reference.trim();
        const common = { referencePath, ...(trimmedSample ? { sample: trimmedSample } : {}) };
        if (aligning) {
          if (bamPath !== null) void startAlignmentFromBam({ bamPath, referencePath });
          else void startAlignment({ readPaths, preset, ...common });
        } else if (bamPath !== null) void startAnalysisFromBam({ bamPath, ...common });
        else void startAnalysis({ readPaths, ...common });
      }}
    >
      <span className="panel-title">{aligning ? 'Align: reads → BAM' : 'Analyze: reads → calls'}</span>
      <fieldset className="field-inline run-mode" data-testid="run-mode">
        <legend className="field-label">Run</legend>
        <label>
          <input type="radio" name={modeName} value="analyze" data-testid="mode-analyze" checked={!aligning} onChange={() => setMode('analyze')} />
          Analyze (align + call)
        </label>
        <label>
          <input type="radio" name={modeName} value="align" data-testid="mode-align" checked={aligning} onChange={() => setMode('align')} />
          Align only (BAM)
        </label>
      </fieldset>
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
      {aligning ? (
        <>
          <label htmlFor={presetId}>Aligner preset</label>
          <select
            id={presetId}
            data-testid="align-preset"
            value={preset}
            disabled={bamPath !== null}
            onChange={(event) => {
              if (isPresetChoice(event.target.value)) setPreset(event.target.value);
            }}
          >
            {PRESET_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </>
      ) : null}
      {/* An imported BAM keeps its own read groups: the sample names only a new alignment. */}
      {aligning && bamPath !== null ? null : (
        <>
          <label htmlFor={sampleId}>Sample name (optional)</label>
          <input id={sampleId} type="text" value={sample} data-testid="analyze-sample" onChange={(event) => setSample(event.target.value)} />
        </>
      )}
      <button type="submit" className="button button-block" data-testid="analyze-start" disabled={!ready || starting}>
        {aligning ? (bamPath !== null ? 'Import BAM' : 'Align') : 'Analyze'}
      </button>
      <button type="button" className="button button-block" data-testid="demo-start" disabled={starting} onClick={() => void startDemo()}>
        Run the demo (NA12878, 12 kb of chr22)
      </button>
    </form>
  );
}
