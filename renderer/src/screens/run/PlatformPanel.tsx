import { useId } from 'react';
import type { InputFileReport } from '../../../../app/contract.ts';
import { PLATFORM_CHOICES, PLATFORM_LABEL, isPlatformChoice } from '../../format/labels.js';
import { formatDecimal, formatInteger, formatPercent } from '../../format/numbers.js';
import { useApp } from '../../store/StoreContext.js';
import { overrideKey } from '../../store/appStore.js';

interface PlatformPanelProps {
  runId: string;
  files: readonly InputFileReport[];
}

/**
 * Per file: the detected platform, how sure the detector is and why (each signal with its
 * weight), and the user's override. The evidence stays visible after an override so the
 * disagreement is on record.
 */
export function PlatformPanel({ runId, files }: PlatformPanelProps) {
  return (
    <section className="platform-panel card" data-testid="platform-evidence" aria-labelledby="platform-title">
      <h2 id="platform-title" className="section-title">Sequencing platform</h2>
      {files.map((file) => (
        <PlatformForFile key={file.path} runId={runId} file={file} />
      ))}
    </section>
  );
}

function PlatformForFile({ runId, file }: { runId: string; file: InputFileReport }) {
  const pending = useApp((s) => overrideKey(runId, file.path) in s.pendingOverrides);
  const overridePlatform = useApp((s) => s.overridePlatform);
  const selectId = useId();
  const { detected } = file;
  const selected = file.platformOverridden && file.platform !== 'unknown' ? file.platform : 'auto';

  return (
    <div className="platform-file">
      <div className="platform-file-head">
        <h3 className="file-name mono">{file.name}</h3>
        <p className="platform-verdict">
          Detected <strong>{PLATFORM_LABEL[detected.platform]}</strong>
          <span className="num">{` · ${formatPercent(detected.confidence, 0)} confidence`}</span>
          <span className="muted num">{` · ${formatInteger(detected.readsInspected)} reads inspected`}</span>
        </p>
        <div className="field field-inline">
          <label htmlFor={selectId}>Platform in use</label>
          <select
            id={selectId}
            data-testid="platform-override"
            value={selected}
            disabled={pending}
            aria-busy={pending}
            onChange={(event) => {
              if (isPlatformChoice(event.target.value)) void overridePlatform(runId, file.path, event.target.value);
            }}
          >
            {PLATFORM_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.value === 'auto' ? `Auto (detected: ${PLATFORM_LABEL[detected.platform]})` : choice.label}
              </option>
            ))}
          </select>
          {file.platformOverridden ? (
            <span className="marker" title={`Detected ${PLATFORM_LABEL[detected.platform]}; set by the user`}>
              overridden
            </span>
          ) : null}
        </div>
      </div>
      {detected.signals.length > 0 ? (
        <table className="data-table evidence-table">
          <caption className="sr-only">{`Platform evidence for ${file.name}`}</caption>
          <thead>
            <tr>
              <th scope="col">Signal</th>
              <th scope="col">Value</th>
              <th scope="col">Suggests</th>
              <th scope="col" className="num">Weight</th>
            </tr>
          </thead>
          <tbody>
            {detected.signals.map((signal, index) => (
              <tr key={`${index}-${signal.name}`} className={signal.suggests === detected.platform ? 'agrees' : undefined}>
                <th scope="row">{signal.name}</th>
                <td className="mono">{signal.value}</td>
                <td>{PLATFORM_LABEL[signal.suggests]}</td>
                <td className="num">
                  <span className="weight">
                    <span className="weight-bar" aria-hidden="true">
                      <span className="weight-fill" style={{ width: `${Math.round(Math.min(1, Math.max(0, signal.weight)) * 100)}%` }} />
                    </span>
                    {formatDecimal(signal.weight, 2)}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No signals were recorded for this file.</p>
      )}
    </div>
  );
}
