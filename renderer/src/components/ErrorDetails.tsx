import type { GenomaicError } from '../../../app/contract.ts';
import { errorTitle } from '../format/labels.js';
import { formatInteger } from '../format/numbers.js';

/**
 * A host error as people read it: what is wrong, then where (file, record, line). The code is
 * shown small for support conversations; stack traces never reach the contract, let alone here.
 */
export function ErrorDetails({ error }: { error: GenomaicError }) {
  const hasLocation = error.file !== undefined || error.record !== undefined || error.line !== undefined;
  return (
    <div className="error-details">
      <p className="error-message">{error.message}</p>
      {hasLocation ? (
        <dl className="error-location">
          {error.file !== undefined ? (
            <div>
              <dt>File</dt>
              <dd className="mono">{error.file}</dd>
            </div>
          ) : null}
          {error.record !== undefined ? (
            <div>
              <dt>Record</dt>
              <dd className="num">{formatInteger(error.record)}</dd>
            </div>
          ) : null}
          {error.line !== undefined ? (
            <div>
              <dt>Line</dt>
              <dd className="num">{formatInteger(error.line)}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      <p className="error-code">
        {errorTitle(error)} <span className="mono">({error.code})</span>
      </p>
    </div>
  );
}
