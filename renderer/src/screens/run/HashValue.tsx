import { useEffect, useState } from 'react';
import { abbreviateHash } from '../../format/numbers.js';
import { useApp } from '../../store/StoreContext.js';

/** A digest shown abbreviated, full on hover and for screen readers, with a copy button. */
export function HashValue({ value, label }: { value: string; label: string }) {
  const reportError = useApp((s) => s.reportError);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return undefined;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch (err) {
      reportError(`Copying the ${label}`, err);
    }
  };

  return (
    <span className="hash">
      <code className="mono" title={value} aria-label={`${label} ${value}`}>
        {abbreviateHash(value)}
      </code>
      <button type="button" className="button button-small button-quiet" onClick={() => void copy()} aria-label={`Copy full ${label}`}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
