import { useEffect, useRef } from 'react';
import type { Shortcut } from './reviewLabels.js';

/** The '?' overlay: every shortcut of the screen, as in docs/shortcuts.md. */
export function ShortcutsOverlay({ shortcuts, onClose }: { shortcuts: readonly Shortcut[]; onClose: () => void }) {
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => closeButton.current?.focus(), []);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" className="modal" data-testid="shortcuts-overlay" onClick={(event) => event.stopPropagation()}>
        <h2 id="shortcuts-title" className="section-title">
          Keyboard shortcuts
        </h2>
        <table className="shortcut-table">
          <tbody>
            {shortcuts.map((s) => (
              <tr key={s.action}>
                <td>
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 ? ' or ' : ''}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{s.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Shortcuts do nothing while you type in a field; Esc leaves the field.</p>
        <button ref={closeButton} type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
