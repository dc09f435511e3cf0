import type { InputFileReport, PairCheck } from '../../../../app/contract.ts';
import { COMPRESSION_LABEL, PLATFORM_LABEL } from '../../format/labels.js';
import { baseName, formatBytes, formatInteger } from '../../format/numbers.js';
import { HashValue } from './HashValue.js';

interface FileCardProps {
  file: InputFileReport;
  pairs: readonly PairCheck[];
}

function PairCheckLine({ check }: { check: PairCheck }) {
  return check.ok ? (
    <span className="check check-ok">
      <span aria-hidden="true">✓ </span>
      {`Read names match (${formatInteger(check.recordsCompared)} records compared)`}
    </span>
  ) : (
    <span className="check check-bad">
      <span aria-hidden="true">✗ </span>
      {`Read names do not match (${formatInteger(check.recordsCompared)} records compared)`}
    </span>
  );
}

/** What was read: identity (size, checksum), format, pairing and the platform in effect. */
export function FileCard({ file, pairs }: FileCardProps) {
  const pairCheck = pairs.find((p) => p.r1 === file.path || p.r2 === file.path);
  return (
    <article className="file-card card" data-testid="file-card" aria-label={file.name}>
      <header className="file-card-head">
        <h3 className="file-name mono" title={file.path}>
          {file.name}
        </h3>
        {file.mate !== null ? <span className="chip">{`R${file.mate}`}</span> : null}
      </header>
      <dl className="kv">
        <div>
          <dt>Path</dt>
          <dd className="mono path">{file.path}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd className="num" title={`${formatInteger(file.sizeBytes)} bytes`}>
            {formatBytes(file.sizeBytes)}
          </dd>
        </div>
        <div>
          <dt>SHA-256</dt>
          <dd>
            <HashValue value={file.sha256} label="SHA-256" />
          </dd>
        </div>
        <div>
          <dt>Compression</dt>
          <dd>{COMPRESSION_LABEL[file.compression]}</dd>
        </div>
        <div>
          <dt>Platform</dt>
          <dd>
            {PLATFORM_LABEL[file.platform]}
            {file.platformOverridden ? <span className="marker">overridden</span> : null}
          </dd>
        </div>
        <div>
          <dt>Pairing</dt>
          <dd>
            {file.mate !== null
              ? `Mate ${file.mate}${file.mateOf ? ` of a pair with ${baseName(file.mateOf)}` : ''}`
              : 'Single-end (no mate)'}
          </dd>
        </div>
        {pairCheck ? (
          <div>
            <dt>Pair check</dt>
            <dd>
              <PairCheckLine check={pairCheck} />
            </dd>
          </div>
        ) : null}
      </dl>
    </article>
  );
}
