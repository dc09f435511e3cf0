import type { RunStatus } from '../../../app/contract.ts';
import { STATUS_LABEL } from '../format/labels.js';

interface StatusBadgeProps {
  status: RunStatus;
  testId?: string;
}

/** Status as a word and a colour; the word carries the meaning, the colour only helps scanning. */
export function StatusBadge({ status, testId }: StatusBadgeProps) {
  return (
    <span className={`status-badge status-${status}`} data-status={status} data-testid={testId}>
      <span className="status-dot" aria-hidden="true" />
      {STATUS_LABEL[status]}
    </span>
  );
}
