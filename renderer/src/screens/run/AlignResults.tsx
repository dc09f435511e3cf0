import type { AlignRunOutputs } from '../../../../app/contract.ts';
import { PLATFORM_LABEL } from '../../format/labels.js';
import { formatDuration, formatInteger, formatPercent } from '../../format/numbers.js';
import { HashValue } from './HashValue.js';

/**
 * What an align run wrote and found: the BAM + BAI on the host, reads, mapped and properly
 * paired fractions, the preset and the reference's checksum. A low mapping rate is shown first
 * and loudly: it almost always means the wrong reference or reads from another genome, and
 * every number below it is then meaningless.
 *
 * No "view alignments" here: the genome view opens analysis runs (it needs their calls and
 * registered files), and a plain BAM opens in IGV or samtools as it is.
 */
export function AlignResults({ alignment }: { alignment: AlignRunOutputs }) {
  const s = alignment.summary;
  const otherWarnings = s.lowMappingRate ? s.warnings.filter((w) => !w.startsWith('LOW MAPPING RATE')) : s.warnings;
  const presetText = s.preset === null ? 'none (imported)' : `${s.preset}${s.presetDetected ? ' (detected)' : ''}`;
  return (
    <div className="run-results" data-testid="align-results">
      {s.lowMappingRate ? (
        <section className="outcome outcome-failed" role="alert" data-testid="low-mapping-warning">
          <h2 className="section-title">{`Low mapping rate: only ${formatPercent(s.mappedFraction)} of reads mapped`}</h2>
          <p>
            {`Fewer than ${formatPercent(s.lowMappingThreshold, 0)} of the reads aligned to this reference. The reads may come from another genome, or the wrong reference was chosen. Check both before using this BAM.`}
          </p>
        </section>
      ) : null}
      {otherWarnings.length > 0 ? (
        <section className="outcome outcome-warning" data-testid="align-warnings">
          <h2 className="section-title">{otherWarnings.length === 1 ? 'Warning' : `Warnings (${otherWarnings.length})`}</h2>
          <ul>
            {otherWarnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="card" aria-labelledby="align-summary-title" data-testid="align-summary">
        <h2 id="align-summary-title" className="section-title">
          {s.source === 'imported' ? 'Imported alignment' : 'Alignment'}
        </h2>
        <dl className="stat-grid">
          <div>
            <dt>Reads</dt>
            <dd className="num" data-testid="align-reads">{formatInteger(s.reads)}</dd>
          </div>
          <div>
            <dt>Mapped</dt>
            <dd className={`num${s.lowMappingRate ? ' check-bad' : ''}`} data-testid="align-mapped" data-fraction={s.mappedFraction}>
              {`${formatPercent(s.mappedFraction, 2)} (${formatInteger(s.mapped)})`}
            </dd>
          </div>
          <div>
            <dt>Properly paired</dt>
            <dd className="num" data-testid="align-proper">{s.properlyPairedFraction === null ? 'single-end' : formatPercent(s.properlyPairedFraction, 2)}</dd>
          </div>
          <div>
            <dt>Secondary / supplementary</dt>
            <dd className="num">{`${formatInteger(s.secondary)} / ${formatInteger(s.supplementary)}`}</dd>
          </div>
          <div>
            <dt>Preset</dt>
            <dd data-testid="align-preset-used">{presetText}</dd>
          </div>
          {s.detectedPlatform !== null ? (
            <div>
              <dt>Reads look like</dt>
              <dd>{PLATFORM_LABEL[s.detectedPlatform]}</dd>
            </div>
          ) : null}
          <div>
            <dt>Took</dt>
            <dd className="num">{formatDuration(s.seconds)}</dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby="align-files-title">
        <h2 id="align-files-title" className="section-title">
          Files
        </h2>
        <dl className="kv">
          <div>
            <dt>BAM</dt>
            <dd className="mono" data-testid="align-bam">{alignment.bam}</dd>
          </div>
          <div>
            <dt>Index</dt>
            <dd className="mono" data-testid="align-bai">{alignment.bamIndex}</dd>
          </div>
          <div>
            <dt>Reference</dt>
            <dd className="mono">{alignment.referencePath}</dd>
          </div>
          <div>
            <dt>SHA-256</dt>
            <dd>
              <HashValue value={alignment.referenceSha256} label="reference SHA-256" />
            </dd>
          </div>
        </dl>
      </section>
    </div>
  );
}
