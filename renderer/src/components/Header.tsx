import { useApp } from '../store/StoreContext.js';
import { ThemeToggle } from './ThemeToggle.js';

const CONNECTION_NOTE = {
  reconnecting: 'Connection to the GenomAIc server interrupted; reconnecting…',
  lost: 'The GenomAIc server refused the connection. If it was restarted, open the new link it printed.',
} as const;

export function Header() {
  const info = useApp((s) => s.info);
  const host = useApp((s) => s.host);
  const connection = useApp((s) => s.connection);
  const navigate = useApp((s) => s.navigate);
  return (
    <header className="app-header">
      <div className="app-header-row">
        <a
          className="brand"
          href="#/"
          onClick={(event) => {
            event.preventDefault();
            navigate({ screen: 'home' });
          }}
        >
          <svg className="brand-mark" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path d="M7 3c0 6 10 6 10 12s-10 6-10 6M17 3c0 6-10 6-10 12s10 6 10 6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
          <span className="brand-name">GenomAIc</span>
        </a>
        {info ? <span className="app-version">v{info.version}</span> : null}
        {host === 'browser' ? <span className="chip" title="Served by genomaic serve on this computer">Browser mode</span> : null}
        <span className="spacer" />
        <ThemeToggle />
      </div>
      {info ? (
        <p className="research-notice" role="note">
          {info.notice}
        </p>
      ) : null}
      {connection !== 'open' ? (
        <p className="connection-note" role="status">
          {CONNECTION_NOTE[connection]}
        </p>
      ) : null}
    </header>
  );
}
