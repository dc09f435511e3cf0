import type { GenomaicError } from '../../../app/contract.ts';
import { errorLocation, errorTitle } from '../format/labels.js';

/**
 * A host error as people read it: what is wrong, then where ('broken.fastq · record 3 ·
 * line 12', full path on hover). The code is shown small for support conversations; stack
 * traces never reach the contract, let alone this component.
 */
export function ErrorDetails({ error }: { error: GenomaicError }) {
  const location = errorLocation(error);
  return (
    <div className="error-details">
      <p className="error-message">{error.message}</p>
      {location ? (
        <p className="error-location" title={error.file}>
          <span className="muted">Where: </span>
          <span className="mono">{location}</span>
        </p>
      ) : null}
      <p className="error-code">
        {errorTitle(error)} <span className="mono">({error.code})</span>
      </p>
    </div>
  );
}
